package dev.courier.node.push;

import dev.courier.protocol.subscription.AckId;
import dev.courier.protocol.subscription.DeliveryJson;
import dev.courier.protocol.push.WebhookSigner;
import dev.courier.protocol.subscription.DeliveryRecord;
import java.nio.charset.StandardCharsets;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;

/**
 * Builds the signed POST of one delivery record to one push subscription's endpoint: the record's
 * JSON as body and the three Standard Webhooks headers, with a {@code webhook-id} that stays the
 * same on every retry of the message, and differs between a subscription and a later one of the
 * same name (receivers that drop repeated ids must not drop a re-created subscription's replay).
 */
final class PushRequests {
  private final String stream;
  private final String url;
  private final WebhookSigner signer;

  /** What a webhook-id is unique within: one incarnation of one subscription. */
  static String stream(String subscription, java.time.Instant createdAt) {
    return subscription + "@" + createdAt.toEpochMilli();
  }

  PushRequests(String stream, String url, WebhookSigner signer) {
    this.stream = stream;
    this.url = url;
    this.signer = signer;
  }

  /**
   * What a webhook id names: the message ({@code "{partition}-{offset}"}), not the delivery
   * attempt the ack id also carries, so retries keep their id.
   */
  static String position(String ackId) {
    return AckId.position(ackId).map(p -> p.partition() + "-" + p.offset()).orElse(ackId);
  }

  HttpRequest build(DeliveryRecord record, long timestampSeconds) {
    byte[] body = DeliveryJson.write(record).getBytes(StandardCharsets.UTF_8);
    String id = WebhookSigner.messageId(stream, position(record.ackId()));
    return HttpRequest.POST(url)
        .withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON, body))
        .addHeader(RawHeader.create(WebhookSigner.ID_HEADER, id))
        .addHeader(
            RawHeader.create(WebhookSigner.TIMESTAMP_HEADER, Long.toString(timestampSeconds)))
        .addHeader(
            RawHeader.create(
                WebhookSigner.SIGNATURE_HEADER, signer.sign(id, timestampSeconds, body)));
  }
}
