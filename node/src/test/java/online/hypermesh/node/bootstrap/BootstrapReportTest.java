package online.hypermesh.node.bootstrap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class BootstrapReportTest {

  private static BootstrapCheck ok(BootstrapPhase phase, String name) {
    return BootstrapCheck.passed(phase, name, "fine");
  }

  @Test
  void aNodeWithEveryCheckPassedIsInPhaseThree() {
    BootstrapReport report = BootstrapReport.of(List.of(
        ok(BootstrapPhase.FEDERATION, "member-up"), ok(BootstrapPhase.SEEDS, "seeds"),
        ok(BootstrapPhase.TRUSTCHAIN, "enrolled"), ok(BootstrapPhase.STOQ, "stoq-listener")));
    assertEquals(3, report.phase());
    assertTrue(report.complete());
    assertNull(report.blockedBy());
  }

  @Test
  void theFirstFailingCheckBlocksEveryLaterPhase() {
    BootstrapReport report = BootstrapReport.of(List.of(
        ok(BootstrapPhase.SEEDS, "seeds"),
        BootstrapCheck.failed(BootstrapPhase.TRUSTCHAIN, "logged", "not in the log"),
        ok(BootstrapPhase.TRUSTCHAIN, "enrolled"),
        ok(BootstrapPhase.STOQ, "stoq-listener"), ok(BootstrapPhase.FEDERATION, "member-up")));
    assertEquals(0, report.phase());
    assertFalse(report.complete());
    assertEquals("logged", report.blockedBy().name());
    assertEquals("not in the log", report.blockedBy().detail());
  }

  @Test
  void aPhaseWithoutChecksIsNotReached() {
    BootstrapReport report = BootstrapReport.of(List.of(ok(BootstrapPhase.SEEDS, "seeds")));
    assertEquals(0, report.phase());
    assertEquals(BootstrapPhase.TRUSTCHAIN, report.blockedBy().phase());
    assertEquals("not checked yet", report.blockedBy().detail());
    assertEquals(-1, BootstrapReport.of(List.of()).phase());
  }

  @Test
  void theJsonNamesPhaseAndBlocker() {
    String json = Bootstrap.toJson(BootstrapReport.of(List.of(
        ok(BootstrapPhase.SEEDS, "seeds"),
        BootstrapCheck.failed(BootstrapPhase.TRUSTCHAIN, "enrolled", "expired"))));
    assertTrue(json.contains("\"phase\":0"), json);
    assertTrue(json.contains("\"blockedBy\":{\"phase\":1,\"name\":\"enrolled\",\"passed\":false,\"detail\":\"expired\"}"), json);
  }
}
