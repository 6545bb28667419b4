package dev.courier.node;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The node meets the edge only through the port module: no node class but the composition root
 * ({@link CourierNode}, which starts the HTTP server) may see the edge's classes or HTTP server
 * types, so business logic cannot leak into routes or HTTP into entities.
 */
class ModuleBoundariesTest {
  private static final JavaClasses NODE =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("dev.courier.node");

  @Test
  void onlyTheCompositionRootSeesTheEdge() {
    noClasses()
        .that()
        .resideInAPackage("dev.courier.node..")
        .and()
        .doNotHaveFullyQualifiedName(CourierNode.class.getName())
        .should()
        .dependOnClassesThat()
        .resideInAPackage("dev.courier.edge..")
        .check(NODE);
  }

  @Test
  void noNodeClassUsesHttpServerTypes() {
    noClasses()
        .that()
        .resideInAPackage("dev.courier.node..")
        .and()
        .doNotHaveFullyQualifiedName(CourierNode.class.getName())
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("org.apache.pekko.http.javadsl.server..", "org.apache.pekko.http.scaladsl.server..")
        .check(NODE);
  }

  @Test
  void deliveryAndTopicsKnowNothingOfHttp() {
    noClasses()
        .that()
        .resideInAnyPackage("dev.courier.node.subscription..", "dev.courier.node.topic..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("org.apache.pekko.http..")
        .check(NODE);
  }
}
