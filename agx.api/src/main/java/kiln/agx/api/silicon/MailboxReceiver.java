package kiln.agx.api.silicon;

import org.osgi.annotation.versioning.ConsumerType;

/** The AP's mailbox interrupt handler: called for each message from the ASC, in order, one at a time. */
@ConsumerType
public interface MailboxReceiver {
    void received(MailboxMessage message);
}
