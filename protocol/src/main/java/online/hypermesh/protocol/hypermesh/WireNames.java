package online.hypermesh.protocol.hypermesh;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/** Enums travel and print as their lower-case names; parsing is forgiving of case and surrounding blanks. */
final class WireNames {

  private WireNames() {
  }

  static String of(Enum<?> value) {
    return value.name().toLowerCase(Locale.ROOT);
  }

  static <E extends Enum<E>> Optional<E> parse(Class<E> type, String text) {
    if (text == null) {
      return Optional.empty();
    }
    String wanted = text.trim().toLowerCase(Locale.ROOT);
    return Arrays.stream(type.getEnumConstants()).filter(e -> of(e).equals(wanted)).findFirst();
  }

  static String list(Class<? extends Enum<?>> type) {
    return Arrays.stream(type.getEnumConstants()).map(WireNames::of).collect(Collectors.joining(", "));
  }
}
