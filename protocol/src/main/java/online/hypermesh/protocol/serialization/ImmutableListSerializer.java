package online.hypermesh.protocol.serialization;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.KryoException;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;

import java.util.ArrayList;
import java.util.List;

/**
 * Every List is written the same way and read back as an unmodifiable list: records hold
 * List.of(...) values whose hidden classes Kryo cannot instantiate, and messages must not be mutable.
 */
final class ImmutableListSerializer extends Serializer<List<?>> {

  ImmutableListSerializer() {
    super(false, true);
  }

  @Override
  public void write(Kryo kryo, Output output, List<?> list) {
    output.writeVarInt(list.size(), true);
    for (Object element : list) {
      kryo.writeClassAndObject(output, element);
    }
  }

  @Override
  public List<?> read(Kryo kryo, Input input, Class<? extends List<?>> type) {
    int size = input.readVarInt(true);
    // Each element takes at least one byte, so a larger count is a lie meant to exhaust memory.
    if (size < 0 || size > input.limit() - input.position() && input.getInputStream() == null) {
      throw new KryoException("list length " + size + " exceeds the remaining input");
    }
    List<Object> elements = new ArrayList<>(Math.min(size, 1024));
    for (int i = 0; i < size; i++) {
      elements.add(kryo.readClassAndObject(input));
    }
    return java.util.Collections.unmodifiableList(elements);
  }
}
