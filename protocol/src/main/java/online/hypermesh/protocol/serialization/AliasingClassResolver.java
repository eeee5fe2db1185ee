package online.hypermesh.protocol.serialization;

import com.esotericsoftware.kryo.Registration;
import com.esotericsoftware.kryo.util.DefaultClassResolver;

/** Lets one registration stand for every implementation of an abstract type (see {@link KryoRegistry#registerAlias}). */
final class AliasingClassResolver extends DefaultClassResolver {

  private final KryoRegistry registry;

  AliasingClassResolver(KryoRegistry registry) {
    this.registry = registry;
  }

  @Override
  public Registration getRegistration(Class type) {
    Registration registration = super.getRegistration(type);
    if (registration != null) {
      return registration;
    }
    Class<?> base = registry.aliasFor(type);
    return base == null ? null : super.getRegistration(base);
  }
}
