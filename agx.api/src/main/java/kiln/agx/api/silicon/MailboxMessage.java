package kiln.agx.api.silicon;

/**
 * One mailbox message: a 64-bit payload for an endpoint ({@link kiln.agx.api.hw.AscMessages}).
 *
 * @param endpoint the endpoint number (0-255)
 * @param payload  the message
 */
public record MailboxMessage(int endpoint, long payload) {
    public MailboxMessage {
        if (endpoint < 0 || endpoint > 0xff) {
            throw new IllegalArgumentException("endpoint " + endpoint);
        }
    }

    @Override
    public String toString() {
        return String.format("ep 0x%02x: 0x%016x", endpoint, payload);
    }
}
