package online.hypermesh.protocol.serialization;

import com.esotericsoftware.kryo.Serializer;

import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;

/**
 * The explicit id table behind {@link KryoCodec}. It is checked once, when the codec is built:
 * a duplicate id, or a class reachable from a registered sealed root that has no id, stops start-up
 * rather than surfacing as a failed message at run time.
 */
public final class KryoRegistry {

  /** Ids below 100 are Kryo's own (primitives, String); 100 to 119 are the codec's built-ins. */
  public static final int FIRST_USER_ID = 120;

  record Entry(int id, Class<?> type, Supplier<Serializer<?>> serializer) {
  }

  private final Map<Integer, Entry> byId = new LinkedHashMap<>();
  private final Map<Class<?>, Integer> byType = new LinkedHashMap<>();
  private final Set<Class<?>> aliasBases = new LinkedHashSet<>();
  private final Set<Class<?>> sealedRoots = new LinkedHashSet<>();

  KryoRegistry() {
    add(100, byte[].class, BoundedByteArraySerializer::new);
    add(101, List.class, ImmutableListSerializer::new);
    aliasBases.add(List.class);
  }

  /** Registers a concrete class (record, enum, final class) under a stable id with Kryo's default serializer. */
  public KryoRegistry register(int id, Class<?> type) {
    return checkedAdd(id, type, null);
  }

  /** Registers a concrete class with its own serializer. */
  public KryoRegistry register(int id, Class<?> type, Supplier<Serializer<?>> serializer) {
    return checkedAdd(id, type, serializer);
  }

  /**
   * Registers an abstract type under one id: every implementation (List.of's hidden classes,
   * Pekko's internal ActorRef classes) is written with this id and this serializer.
   */
  public KryoRegistry registerAlias(int id, Class<?> base, Supplier<Serializer<?>> serializer) {
    checkedAdd(id, base, serializer);
    aliasBases.add(base);
    return this;
  }

  /** Declares a sealed interface whose every permitted implementation must be registered. */
  public KryoRegistry sealedRoot(Class<?> root) {
    if (!root.isSealed()) {
      throw new IllegalArgumentException(root.getName() + " is not sealed; only sealed roots can be checked for completeness");
    }
    sealedRoots.add(root);
    return this;
  }

  private KryoRegistry checkedAdd(int id, Class<?> type, Supplier<Serializer<?>> serializer) {
    if (id < FIRST_USER_ID) {
      throw new IllegalArgumentException("Kryo id " + id + " for " + type.getName() + " is below " + FIRST_USER_ID + " (reserved)");
    }
    return add(id, type, serializer);
  }

  private KryoRegistry add(int id, Class<?> type, Supplier<Serializer<?>> serializer) {
    Entry previous = byId.get(id);
    if (previous != null) {
      throw new IllegalArgumentException("Kryo id " + id + " is given to both " + previous.type().getName() + " and " + type.getName());
    }
    Integer previousId = byType.get(type);
    if (previousId != null) {
      throw new IllegalArgumentException(type.getName() + " is registered twice (ids " + previousId + " and " + id + ")");
    }
    byId.put(id, new Entry(id, type, serializer));
    byType.put(type, id);
    return this;
  }

  boolean isRegistered(Class<?> type) {
    return byType.containsKey(type) || aliasFor(type) != null;
  }

  Class<?> aliasFor(Class<?> type) {
    for (Class<?> base : aliasBases) {
      if (base.isAssignableFrom(type)) {
        return base;
      }
    }
    return null;
  }

  Collection<Entry> entries() {
    return byId.values();
  }

  /** Whether a class that Pekko binds to this serializer is covered (registered, an alias, or a sealed root). */
  boolean covers(Class<?> type) {
    return isRegistered(type) || sealedRoots.contains(type) || type == KryoMessage.class;
  }

  /**
   * Walks every sealed root and the record components of every registered record, and lists what has no id.
   * Kryo's built-in types (primitives, boxed primitives, String) need none.
   */
  void validate() {
    Set<String> missing = new TreeSet<>();
    Set<Class<?>> seen = new LinkedHashSet<>();
    List<Class<?>> work = new ArrayList<>(sealedRoots);
    work.addAll(byType.keySet());
    while (!work.isEmpty()) {
      Class<?> type = work.remove(work.size() - 1);
      if (!seen.add(type) || isBuiltIn(type) || aliasFor(type) != null && !byType.containsKey(type)) {
        continue;
      }
      if (type.isSealed()) {
        for (Class<?> sub : type.getPermittedSubclasses()) {
          work.add(sub);
        }
        continue;
      }
      if (type.isInterface() || java.lang.reflect.Modifier.isAbstract(type.getModifiers())) {
        if (!isRegistered(type)) {
          missing.add(type.getName() + " (abstract and not sealed: register an alias)");
        }
        continue;
      }
      if (!isRegistered(type)) {
        missing.add(type.getName());
      }
      if (type.isRecord()) {
        // List element types are erased; classes inside lists are named through their own sealed roots.
        for (RecordComponent component : type.getRecordComponents()) {
          work.add(component.getType());
        }
      }
    }
    if (!missing.isEmpty()) {
      throw new IllegalStateException("Kryo registry is incomplete; these classes have no stable id: " + String.join(", ", missing));
    }
  }

  private static boolean isBuiltIn(Class<?> type) {
    return type.isPrimitive() || type == String.class || type == Integer.class || type == Long.class
        || type == Boolean.class || type == Double.class || type == Float.class || type == Short.class
        || type == Byte.class || type == Character.class || type == byte[].class;
  }
}
