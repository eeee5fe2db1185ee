package online.hypermesh.protocol.serialization;

import com.esotericsoftware.kryo.Kryo;
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
    BoundedByteArraySerializer.writeBytes(output, value == null ? null : value.getBytes(StandardCharsets.UTF_8));
  }

  @Override
  public String read(Kryo kryo, Input input, Class<? extends String> type) {
    byte[] bytes = BoundedByteArraySerializer.readBytes(input, "string");
    return bytes == null ? null : new String(bytes, StandardCharsets.UTF_8);
  }
}
