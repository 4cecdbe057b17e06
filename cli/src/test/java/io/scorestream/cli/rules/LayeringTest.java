package io.scorestream.cli.rules;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every layering rule holds over the classes every module ships. */
class LayeringTest {
  private static JavaClasses shipped;

  @BeforeAll
  static void importShippedClasses() {
    shipped =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            // the test kit ships in no artifact (maven-enforcer bans it from every compile scope)
            .withImportOption(location -> !location.contains("testkit"))
            .importPackages("io.scorestream");
  }

  static Stream<ArchRule> rules() {
    return Layering.ALL.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rules")
  void shippedClassesKeepTheRule(ArchRule rule) {
    rule.check(shipped);
  }
}
