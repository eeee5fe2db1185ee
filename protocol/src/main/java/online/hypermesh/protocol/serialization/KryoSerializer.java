package online.hypermesh.protocol.serialization;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigValue;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.serialization.JSerializer;

import java.lang.reflect.Constructor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Pekko's view of {@link KryoCodec}. The registrars come from {@code hypermesh.serialization.kryo.registrars} (module name = registrar class);
 * every class bound to "kryo" in {@code pekko.actor.serialization-bindings} must be covered, or the
 * ActorSystem fails to start.
 */
public final class KryoSerializer extends JSerializer {

  /** Pekko reserves 0 to 40; this number is part of every journal row, so it never changes. */
  public static final int IDENTIFIER = 7_001;

  private final KryoCodec codec;

  public KryoSerializer(ExtendedActorSystem system) {
    Config config = system.settings().config();
    List<KryoRegistrar> registrars = new ArrayList<>();
    // An object, not a list: reference.conf files merge objects key by key, whatever their classpath order,
    // while a list in one module's file would replace another's.
    Config registrarConfig = config.getConfig("hypermesh.serialization.kryo.registrars");
    for (String module : new java.util.TreeSet<>(registrarConfig.root().keySet())) {
      String className = registrarConfig.getString(module);
      if (!className.isBlank()) {
        registrars.add(instantiate(className, system));
      }
    }
    this.codec = KryoCodec.of(registrars);
    checkBindings(config, system.dynamicAccess().classLoader());
  }

  private void checkBindings(Config config, ClassLoader loader) {
    List<String> uncovered = new ArrayList<>();
    for (Map.Entry<String, ConfigValue> binding : config.getConfig("pekko.actor.serialization-bindings").root().entrySet()) {
      if (!"kryo".equals(binding.getValue().unwrapped())) {
        continue;
      }
      String className = binding.getKey().replace("\"", "");
      try {
        if (!codec.covers(Class.forName(className, false, loader))) {
          uncovered.add(className);
        }
      } catch (ClassNotFoundException e) {
        uncovered.add(className + " (class not found)");
      }
    }
    if (!uncovered.isEmpty()) {
      throw new IllegalStateException("classes bound to the kryo serializer have no registration: " + uncovered);
    }
  }

  private static KryoRegistrar instantiate(String className, ExtendedActorSystem system) {
    try {
      Class<?> type = Class.forName(className, true, system.dynamicAccess().classLoader());
      for (Constructor<?> constructor : type.getConstructors()) {
        if (constructor.getParameterCount() == 1 && constructor.getParameterTypes()[0].isAssignableFrom(ExtendedActorSystem.class)) {
          return (KryoRegistrar) constructor.newInstance(system);
        }
      }
      return (KryoRegistrar) type.getConstructor().newInstance();
    } catch (ReflectiveOperationException | ClassCastException e) {
      throw new IllegalStateException("cannot create Kryo registrar " + className + ": " + e, e);
    }
  }

  @Override
  public int identifier() {
    return IDENTIFIER;
  }

  @Override
  public boolean includeManifest() {
    return false;
  }

  @Override
  public byte[] toBinary(Object value) {
    return codec.encode(value);
  }

  @Override
  public Object fromBinaryJava(byte[] bytes, Class<?> manifest) {
    return codec.decode(bytes);
  }
}
