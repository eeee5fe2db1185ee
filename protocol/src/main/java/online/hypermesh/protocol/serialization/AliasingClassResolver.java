package online.hypermesh.protocol.serialization;

import com.esotericsoftware.kryo.KryoException;
import com.esotericsoftware.kryo.Registration;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.util.DefaultClassResolver;

/**
 * Lets one registration stand for every implementation of an abstract type (see {@link KryoRegistry#registerAlias}),
 * and accepts registered ids only: Kryo's "class by name" id would make it load whatever class a peer names
 * (slow, and a null name escapes as a NullPointerException) before any registration check.
 */
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

  @Override
  protected Registration readName(Input input) {
    throw new KryoException("class names are not accepted; only registered class ids");
  }
}
