package online.hypermesh.protocol.serialization;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.KryoException;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;

/** Like {@link BoundedStringSerializer}: the length prefix is checked before anything is allocated. */
final class BoundedByteArraySerializer extends Serializer<byte[]> {

  BoundedByteArraySerializer() {
    super(true, true);
  }

  @Override
  public void write(Kryo kryo, Output output, byte[] value) {
    writeBytes(output, value);
  }

  @Override
  public byte[] read(Kryo kryo, Input input, Class<? extends byte[]> type) {
    return readBytes(input, "byte array");
  }

  /** Length + 1 as a varint (0 is null), then the bytes. */
  static void writeBytes(Output output, byte[] value) {
    if (value == null) {
      output.writeVarInt(0, true);
      return;
    }
    output.writeVarInt(value.length + 1, true);
    output.writeBytes(value);
  }

  static byte[] readBytes(Input input, String what) {
    int lengthPlusOne = input.readVarInt(true);
    if (lengthPlusOne == 0) {
      return null;
    }
    int length = lengthPlusOne - 1;
    if (length < 0 || input.getInputStream() == null && length > input.limit() - input.position()) {
      throw new KryoException(what + " length " + length + " exceeds the remaining input");
    }
    return input.readBytes(length);
  }
}
