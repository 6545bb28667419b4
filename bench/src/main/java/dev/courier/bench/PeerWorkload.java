package dev.courier.bench;

/** The workloads of the peers comparison, each measured on Courier and on NATS JetStream. */
enum PeerWorkload {
    DURABLE("durable", "durable publish, batches of 50, 8 in flight (NATS: async window 256)"),
    LIVE("live", "live 1->1 with acks (Courier WebSocket + acks / NATS pull consumer + ack)"),
    FAN_OUT("fanout", "fan-out 1->10 (Courier SSE, 10 subscriptions / NATS 10 pull consumers)"),
    SINGLE("single", "single-message publish, 16 in flight, paced"),
    E2E("e2e", "publish -> consumer end to end, paced (Courier SSE / NATS pull consumer)");

    final String flag;
    final String description;

    PeerWorkload(String flag, String description) {
        this.flag = flag;
        this.description = description;
    }

    static PeerWorkload byFlag(String flag) {
        for (PeerWorkload w : values()) {
            if (w.flag.equals(flag)) {
                return w;
            }
        }
        throw new IllegalArgumentException("no workload " + flag);
    }
}
