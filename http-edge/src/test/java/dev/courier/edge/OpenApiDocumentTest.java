package dev.courier.edge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.courier.edge.auth.EndpointGrants;
import io.swagger.parser.OpenAPIParser;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.PathItem;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The OpenAPI document is valid OpenAPI 3.1 and names exactly the endpoints the edge serves (the
 * one endpoint list, {@link EndpointGrants#RULES}); the node answering each is checked by
 * OpenApiIT.
 */
class OpenApiDocumentTest {

  static SwaggerParseResult parse() {
    return new OpenAPIParser().readContents(
        new String(OpenApiRoutes.read(), StandardCharsets.UTF_8), null, null);
  }

  /** Every documented "METHOD /path". */
  static Set<String> operations(OpenAPI api) {
    Set<String> ops = new TreeSet<>();
    api.getPaths().forEach((path, item) -> item.readOperationsMap().keySet()
        .forEach(method -> ops.add(method.name() + " " + path)));
    return ops;
  }

  @Test
  void isAValidOpenApi31Document() {
    SwaggerParseResult result = parse();
    assertEquals(java.util.List.of(), result.getMessages() == null ? java.util.List.of()
        : result.getMessages(), "parser messages");
    OpenAPI api = result.getOpenAPI();
    assertNotNull(api);
    assertEquals("3.1.0", api.getOpenapi());
    assertTrue(api.getComponents().getSchemas().containsKey("Delivery"));
  }

  @Test
  void documentsEveryRouteAndNothingElse() {
    Set<String> routes = new TreeSet<>();
    EndpointGrants.RULES.forEach(r -> routes.add(r.method() + " " + r.path()));
    assertEquals(routes, operations(parse().getOpenAPI()));
  }

  @Test
  void everyReferencedSchemaResolvesAndEveryOperationHasAnId() {
    OpenAPI api = parse().getOpenAPI();
    Set<String> ids = new TreeSet<>();
    for (PathItem item : api.getPaths().values()) {
      item.readOperations().forEach(op -> {
        assertNotNull(op.getOperationId(), "an operation without operationId");
        assertTrue(ids.add(op.getOperationId()), "operationId twice: " + op.getOperationId());
      });
    }
    String text = new String(OpenApiRoutes.read(), StandardCharsets.UTF_8);
    var refs = java.util.regex.Pattern.compile("#/components/(schemas|responses)/([A-Za-z]+)")
        .matcher(text);
    while (refs.find()) {
      var group = refs.group(1).equals("schemas") ? api.getComponents().getSchemas()
          : api.getComponents().getResponses();
      assertTrue(group.containsKey(refs.group(2)), "unresolved " + refs.group());
    }
  }
}
