package dev.courier.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Checks that publish bodies are valid JSON of the promised shape and size, and that ids map back to sequence numbers. */
class MessageFactoryTest {
    private final ObjectMapper mapper = new ObjectMapper();

    @Test
    void batchBodyHoldsPaddedMessagesOfTheTargetSize() throws Exception {
        MessageFactory factory = new MessageFactory(MessageFactory.MEASURED_PREFIX, 512, true);

        JsonNode messages = mapper.readTree(factory.body(140, 3, -123456789L)).path("messages");

        assertEquals(3, messages.size());
        JsonNode first = messages.get(0);
        assertEquals("m-140", first.path("id").asText());
        assertEquals("k-40", first.path("key").asText());
        assertEquals(140, first.path("data").path("seq").asLong());
        assertEquals(-123456789L, first.path("data").path("sentNanos").asLong());
        for (JsonNode message : messages) {
            assertEquals(512, mapper.writeValueAsString(message).getBytes(StandardCharsets.UTF_8).length);
        }
    }

    @Test
    void singleBodyIsOneMessageObjectAndTinySizesStillParse() throws Exception {
        MessageFactory factory = new MessageFactory(MessageFactory.WARMUP_PREFIX, 1, false);

        JsonNode message = mapper.readTree(factory.body(7, 1, 1L));

        assertEquals("w-7", message.path("id").asText());
        assertEquals("", message.path("data").path("pad").asText());
        assertFalse(message.has("messages"));
    }

    @Test
    void seqOfReadsBackOnlyItsOwnIds() {
        MessageFactory factory = new MessageFactory(MessageFactory.MEASURED_PREFIX, 100, true);

        assertEquals(99, factory.seqOf(factory.id(99)));
        assertEquals(-1, factory.seqOf("w-99"));
        assertEquals(-1, factory.seqOf("m-x"));
        assertEquals(-1, factory.seqOf(null));
    }
}
