package online.hypermesh.protocol.serialization;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.KryoException;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;

import java.nio.charset.StandardCharsets;

/**
 * Replaces Kryo's String serializer: Kryo trusts the length prefix and allocates that many chars,
 * so a forged prefix in a 20-byte frame could ask for gigabytes. Here the length is checked against
 * what the input actually holds before anything is allocated.
 */
final class BoundedStringSerializer extends Serializer<String> {

  BoundedStringSerializer() {
    super(true, true);
  }

  @Override
  public void write(Kryo kryo, Output output, String value) {
    if (value == null) {
      output.writeVarInt(0, true);
      return;
    }
    byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
    output.writeVarInt(bytes.length + 1, true);
    output.writeBytes(bytes);
  }

  @Override
  public String read(Kryo kryo, Input input, Class<? extends String> type) {
    int lengthPlusOne = input.readVarInt(true);
    if (lengthPlusOne == 0) {
      return null;
    }
    int length = lengthPlusOne - 1;
    if (length < 0 || input.getInputStream() == null && length > input.limit() - input.position()) {
      throw new KryoException("string length " + length + " exceeds the remaining input");
    }
    return new String(input.readBytes(length), StandardCharsets.UTF_8);
  }
}
