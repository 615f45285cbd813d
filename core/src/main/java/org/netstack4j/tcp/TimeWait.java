package org.netstack4j.tcp;

import static org.netstack4j.time.Time.NEVER;

import org.netstack4j.tcp.recovery.LossRecovery;
import org.netstack4j.tcp.seqnum.Seq;
import org.netstack4j.trace.TimerAction;
import org.netstack4j.wire.TcpOption;
import org.netstack4j.wire.TcpRepr;

/**
 * TIME-WAIT (RFC 9293 3.10.7.4 and 3.10.8): entering it after the last FIN exchange, the 2 MSL
 * timer (restarted by a retransmitted FIN), its end, and what may take its 4-tuple over early: a
 * new SYN by RFC 6191's rule, or an active open by Linux's tcp_tw_reuse. Statics over the
 * connection, as {@link Ecn} and {@link FastOpen} are.
 */
final class TimeWait {
    private TimeWait() {}

    /** RFC 9293 3.10.8 TIME-WAIT TIMEOUT: delete the TCB (also the end of an orphan's FIN-WAIT-2). */
    static void timeout(TcpConnection c, long now) {
        c.timeWaitAt = NEVER;
        c.timersChanged();
        boolean fw2 = c.state == TcpState.FIN_WAIT_2;
        c.timer(now, fw2 ? TcpTimer.FIN_WAIT_2 : TcpTimer.TWO_MSL, TimerAction.FIRED, now);
        c.enterClosed(now, fw2 ? "FIN-WAIT-2 timeout" : "2MSL timeout", null);
    }

    /** Our FIN is acknowledged and the peer's received: TIME-WAIT, or CLOSED at once over a limit or a lab switch. */
    static void enter(TcpConnection c, long now, String cause) {
        boolean overflow = c.cfg().lab().timeWaitEnabled() && !c.layer.timeWaitAllowed(); // Hardening.maxTimeWait
        if (c.orphan) c.layer.orphanClosed(); // a TIME-WAIT connection is no longer an orphan (Linux)
        c.setState(now, TcpState.TIME_WAIT, cause);
        c.cancelRto(now);
        if (c.persistAt != NEVER) {
            c.persistAt = NEVER;
            c.timersChanged();
            c.timer(now, TcpTimer.PERSIST, TimerAction.CANCEL, NEVER);
        }
        if (!c.cfg().lab().timeWaitEnabled()) {
            // LAB ONLY: no TIME-WAIT, the connection is forgotten at once
            c.enterClosed(now, "TIME-WAIT disabled (lab switch)", null);
            return;
        }
        if (overflow) {
            // too many TIME-WAIT connections: this one skips it (Linux tcp_time_wait, tw bucket overflow)
            c.enterClosed(now, "TIME-WAIT limit reached: skipped", null);
            return;
        }
        restart(c, now);
        // Everything is acknowledged: nothing left to send or repair for 2 MSL; keep only the
        // congestion controller (status), not the SACK scoreboard and recovery state (DESIGN.md 10)
        if (c.recovery != null) c.recovery = LossRecovery.settled(c.recovery);
    }

    /** The 2 MSL timer from now: on entering, and on a retransmitted FIN (RFC 9293 3.10.7.4). */
    static void restart(TcpConnection c, long now) {
        c.timeWaitAt = now + 2 * c.cfg().timers().mslNs();
        c.timersChanged();
        c.timer(now, TcpTimer.TWO_MSL, TimerAction.SET, c.timeWaitAt);
    }

    /**
     * Linux tcp_tw_reuse: may an active open take over this TIME-WAIT 4-tuple? Only with
     * timestamps (PAWS then protects the new incarnation from old duplicates, RFC 6191 / RFC
     * 7323 5) and once TS.Recent is older than the delay.
     */
    static boolean reusable(TcpConnection c, long now, long delayNs) {
        return c.state == TcpState.TIME_WAIT && c.tsOk && c.tsRecentAt != NEVER && now - c.tsRecentAt >= delayNs;
    }

    /** The new incarnation of a reused TIME-WAIT 4-tuple starts from its TS.Recent. */
    static void inherit(TcpConnection c, int oldTsRecent) {
        c.tsRecent = oldTsRecent;
        c.synEchoesTsRecent = true;
    }

    /** TIME-WAIT replaced by a new incarnation (a new SYN clearly above the old sequence space). */
    static void replaced(TcpConnection c, long now) {
        c.enterClosed(now, "new SYN in TIME-WAIT", null);
        c.deliverEvents();
    }

    /** RFC 6191: with timestamps, a newer TSval; without, a sequence number above RCV.NXT. */
    static boolean acceptsNewSyn(TcpConnection c, TcpRepr seg) {
        if (!seg.has(TcpRepr.SYN) || seg.has(TcpRepr.ACK) || seg.has(TcpRepr.RST)) return false;
        TcpOption.Timestamps ts = TcpConnection.timestampsOf(seg);
        if (c.tsOk && ts != null) return Seq.gt(ts.tsVal(), c.tsRecent);
        return Seq.gt(seg.seq(), c.rcvNxt);
    }
}
