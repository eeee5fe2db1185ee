package online.hypermesh.protocol.serialization;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.KryoException;
import com.esotericsoftware.kryo.Registration;
import com.esotericsoftware.kryo.io.ByteBufferInput;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import com.esotericsoftware.kryo.util.MapReferenceResolver;
import com.esotericsoftware.kryo.util.Pool;

import java.nio.ByteBuffer;
import java.util.List;

/**
 * Kryo with explicit registration only. Kryo instances are not thread-safe, so they come from a pool;
 * the registry is validated once, here, so an incomplete registry fails at start-up.
 */
public final class KryoCodec {

  private static final int MAX_ENCODED_BYTES = 64 * 1024 * 1024;

  private final KryoRegistry registry;
  private final Pool<Kryo> pool;

  private KryoCodec(KryoRegistry registry) {
    this.registry = registry;
    registry.validate();
    this.pool = new Pool<>(true, false, 64) {
      @Override
      protected Kryo create() {
        return newKryo();
      }
    };
    pool.free(pool.obtain());
  }

  public static KryoCodec of(KryoRegistrar... registrars) {
    return of(List.of(registrars));
  }

  public static KryoCodec of(List<? extends KryoRegistrar> registrars) {
    KryoRegistry registry = new KryoRegistry();
    for (KryoRegistrar registrar : registrars) {
      registrar.register(registry);
    }
    return new KryoCodec(registry);
  }

  private Kryo newKryo() {
    Kryo kryo = new Kryo(new AliasingClassResolver(registry), new MapReferenceResolver());
    kryo.setRegistrationRequired(true);
    kryo.setReferences(false);
    kryo.register(String.class, new BoundedStringSerializer(), 1);
    for (KryoRegistry.Entry entry : registry.entries()) {
      Registration registration = entry.serializer() == null
          ? kryo.register(entry.type(), entry.id())
          : kryo.register(entry.type(), entry.serializer().get(), entry.id());
      if (registration.getId() != entry.id()) {
        throw new IllegalStateException("Kryo gave " + entry.type().getName() + " id " + registration.getId() + " instead of " + entry.id());
      }
    }
    return kryo;
  }

  /** True when Pekko may bind this class to the codec: it is registered or checked through a sealed root. */
  public boolean covers(Class<?> type) {
    return registry.covers(type);
  }

  public byte[] encode(Object value) {
    Kryo kryo = pool.obtain();
    try (Output output = new Output(256, MAX_ENCODED_BYTES)) {
      kryo.writeClassAndObject(output, value);
      return output.toBytes();
    } catch (KryoException | IllegalArgumentException e) {
      throw new KryoCodecException("cannot encode " + value.getClass().getName() + ": " + e.getMessage(), e);
    } finally {
      pool.free(kryo);
    }
  }

  public Object decode(byte[] bytes) {
    return decode(new Input(bytes), bytes.length);
  }

  /** Decodes from the buffer's position to its limit without copying (direct buffers included). */
  public Object decode(ByteBuffer buffer) {
    return decode(new ByteBufferInput(buffer.slice()), buffer.remaining());
  }

  private Object decode(Input input, int length) {
    if (length == 0) {
      throw new KryoCodecException("empty payload");
    }
    Kryo kryo = pool.obtain();
    try {
      Object value = kryo.readClassAndObject(input);
      if (input.position() != length) {
        throw new KryoCodecException((length - input.position()) + " trailing bytes after a " + describe(value));
      }
      if (!(value instanceof KryoMessage)) {
        throw new KryoCodecException("payload is a " + describe(value) + ", not a message");
      }
      return value;
    } catch (KryoException | IndexOutOfBoundsException | IllegalArgumentException | NegativeArraySizeException e) {
      if (e instanceof KryoCodecException codecException) {
        throw codecException;
      }
      throw new KryoCodecException("undecodable payload: " + firstLine(e.getMessage()), e);
    } finally {
      pool.free(kryo);
    }
  }

  private static String describe(Object value) {
    return value == null ? "null" : value.getClass().getSimpleName();
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "no detail";
    }
    int newline = message.indexOf('\n');
    return newline < 0 ? message : message.substring(0, newline);
  }
}
