package org.netstack4j.lab;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.netstack4j.tcp.TcpState;
import org.netstack4j.tcp.TcpTimer;
import org.netstack4j.trace.TimerAction;

/**
 * Short explanations of the recognised moments of a run, tied to the teaching notes' questions:
 * the three handshakes (and why a SYN consumes one sequence number while a bare ACK consumes
 * none, why three steps and not two), the four waves (half-close in CLOSE_WAIT, why four),
 * TIME_WAIT and its two 2MSL reasons, loss, timeout retransmission with backoff, fast
 * retransmit, zero window and the persist timer, delayed ACK and RST. Each moment is explained
 * once per run, right after the event that shows it. Purely a function of the events.
 */
public final class Narration {
    private Narration() {}

    /** The explanation keys this class can produce, in no particular order. */
    public static final List<String> KEYS = List.of("handshake1", "handshake2", "handshake3", "why-three",
            "two-way", "simultaneous-open", "wave1", "wave2", "half-close", "wave23", "wave3", "why-four", "wave4",
            "simultaneous-close", "time-wait", "time-wait-reack",
            "reset", "lost", "retransmission", "dup-ack", "fast-retransmit", "zero-window", "persist-probe", "window-update",
            "no-time-wait", "delayed-ack");

    /**
     * The run with Explanation events inserted. Explanations this class made before (keys in
     * {@link #KEYS}) are dropped first, so annotating twice changes nothing; others (a story's own
     * notes) are kept where they are.
     */
    public static LabRun annotate(LabRun run) { return annotate(run, false); }

    /**
     * As {@link #annotate(LabRun)}; with relativeSeq the numbers in the texts are relative to each
     * side's ISN, matching a --relative-seq diagram. Other events are kept as the same objects.
     */
    public static LabRun annotate(LabRun run, boolean relativeSeq) {
        State st = new State(run, relativeSeq);
        List<LabEvent> out = new ArrayList<>();
        // Explanations wait until the host's events of that instant are all shown (the timer
        // armed with a segment stays next to its arrow), then come in KEYS order.
        List<LabEvent.Explanation> pending = new ArrayList<>();
        for (LabEvent e : run.events()) {
            if (e instanceof LabEvent.Explanation x && KEYS.contains(x.key())) continue; // ours: redone below
            if (!pending.isEmpty() && (e.timeNs() != pending.getFirst().timeNs()
                    || !java.util.Objects.equals(e.host(), pending.getFirst().host()))) {
                flush(pending, out);
            }
            out.add(e);
            st.explanations.clear();
            st.see(e);
            pending.addAll(st.explanations);
        }
        flush(pending, out);
        return new LabRun(run.scenario(), run.hosts(), out);
    }

    private static void flush(List<LabEvent.Explanation> pending, List<LabEvent> out) {
        pending.sort(java.util.Comparator.comparingInt(x -> KEYS.indexOf(x.key())));
        out.addAll(pending);
        pending.clear();
    }

    /** The host as the notes call it: 客户端 / 服务端 in Chinese for the usual names. */
    static String zhHost(String host) {
        return switch (host) {
            case "client" -> "客户端";
            case "server" -> "服务端";
            default -> host;
        };
    }

    private static final class State {
        final LabRun run;
        final Set<String> said = new HashSet<>();
        final List<LabEvent.Explanation> explanations = new ArrayList<>();
        final Map<String, Long> isn = new HashMap<>();
        final Map<String, Long> sentEnd = new HashMap<>();   // relative to the host's ISN
        final Map<String, Long> finSeq = new HashMap<>();    // raw seq of the host's first FIN
        final Map<String, Long> finEnd = new HashMap<>();    // raw seq just after it
        final Map<String, Long> lastAck = new HashMap<>();   // last ack value the host sent
        final Map<String, Integer> lastWin = new HashMap<>(); // last window the host advertised
        final Map<String, Integer> dupAcks = new HashMap<>(); // duplicate ACKs received by host
        final Set<String> rtoFired = new HashSet<>();
        final Set<String> zeroWindowSeenBy = new HashSet<>(); // hosts that were told win=0
        final Map<String, TcpState> state = new HashMap<>();
        String opener, acceptor;
        boolean synAcked;
        String closer; // first host to send FIN
        boolean simultaneousClose;
        final Set<String> synAckedFor = new HashSet<>();      // hosts whose SYN a delivered segment acked
        final Map<String, Long> timeWaitSince = new HashMap<>();
        final Set<String> sentSynAck = new HashSet<>();
        final Set<String> finAckSent = new HashSet<>();       // hosts that have acked the peer's FIN
        final boolean relative;

        State(LabRun run, boolean relative) {
            this.run = run;
            this.relative = relative;
            for (String h : run.hosts()) {
                isn.put(h, run.isn(h));
                state.put(h, run.initialState(h));
            }
        }

        void say(LabEvent e, String key, String en, String zh) {
            if (!said.add(key)) return;
            explanations.add(new LabEvent.Explanation(e.timeNs(), e.host(), key, en, zh, e));
        }

        void see(LabEvent e) {
            switch (e) {
                case LabEvent.Segment s -> segment(s);
                case LabEvent.State s -> stateChange(s);
                case LabEvent.Timer t -> timer(t);
                case LabEvent.Note n -> { }
                case LabEvent.Explanation x -> { }
            }
        }

        void timer(LabEvent.Timer t) {
            if (t.name() == TcpTimer.RTO && t.action() == TimerAction.FIRED) rtoFired.add(t.host());
            if (t.name() == TcpTimer.DELAYED_ACK && t.action() == TimerAction.SET) {
                long ms = Math.max(0, (t.deadlineNs() - t.timeNs()) / 1_000_000L);
                String a = t.host(), za = zhHost(a);
                say(t, "delayed-ack",
                        "Delayed ACK: " + a + " waits up to " + ms + " ms before acknowledging, hoping to"
                                + " piggyback the ACK on data or to ack two segments at once (RFC 9293 3.8.6.3).",
                        "延迟确认：" + za + "最多等待 " + ms + " ms 再发送 ACK，希望把确认捎带在数据上，"
                                + "或者一次确认两个报文段（RFC 9293 3.8.6.3）。");
            }
        }

        void stateChange(LabEvent.State s) {
            state.put(s.host(), s.to());
            String h = s.host(), zh = zhHost(h);
            // Two-step handshake (the lab's twoWayHandshake switch): ESTABLISHED although no delivered
            // segment has acknowledged this host's SYN yet.
            if (s.to() == TcpState.ESTABLISHED && !synAckedFor.contains(h)) {
                say(s, "two-way",
                        h + " became ESTABLISHED on the SYN alone: a two-step handshake. Its own ISN was never"
                                + " acknowledged, and an old duplicate SYN would open a connection nobody asked for.",
                        zh + "只收到 SYN 就进入了 ESTABLISHED：这是两次握手。它自己的初始序列号从未被确认，"
                                + "已经失效的连接请求报文也会建立多余的连接，浪费资源。");
            }
            if (s.to() == TcpState.ESTABLISHED && h.equals(acceptor) && synAcked) {
                say(s, "why-three",
                        "Why three steps, not two? (1) A stale SYN that reaches the server late must not set"
                                + " up a connection: the client's ACK shows the request is current. (2) Each side"
                                + " chooses an ISN and must see it acknowledged; with two steps only the client's"
                                + " ISN (x) is confirmed, the server's (y) never is.",
                        "为什么两次握手不行？其一，一个迟到的旧 SYN 到了服务端，不能凭它就建起连接：要等客户端的 ACK"
                                + "证明这个请求是眼下的；其二，两边各选一个初始序列号，各自都要看到对方确认过；只走两步，"
                                + "只有客户端的 x 得到确认，服务端的 y 始终无人确认。");
            }
            if (s.from() == TcpState.TIME_WAIT && s.to() == TcpState.CLOSED && s.timeNs() == timeWaitSince.getOrDefault(h, -1L)) {
                say(s, "no-time-wait",
                        "TIME_WAIT skipped (lab switch): " + h + " forgets the connection at once. Had its last ACK"
                                + " been lost, the peer's retransmitted FIN would find no connection and get a RST;"
                                + " and old duplicates could reach a new connection on the same ports.",
                        "跳过 TIME_WAIT（实验开关）：" + zh + "立即丢弃连接。若最后一个 ACK 丢失，对方重传的 FIN 找不到连接，"
                                + "只会收到 RST；已失效的报文段也可能出现在使用相同端口的新连接中。");
            }
            if (s.to() == TcpState.TIME_WAIT) timeWaitSince.put(h, s.timeNs());
            if (s.to() == TcpState.TIME_WAIT) {
                say(s, "time-wait",
                        h + " stays in TIME_WAIT for 2MSL. Why wait? (1) So that its last ACK reaches the peer:"
                                + " if that ACK is lost the peer resends its FIN and it can be acked again."
                                + " (2) So that old duplicate segments of this connection die out and cannot"
                                + " turn up in a new connection between the same ports.",
                        zh + "进入 TIME_WAIT，先停留 2MSL 再到 CLOSED。为什么要等？其一，最后那个 ACK 可能丢失，"
                                + "对方会再发 FIN，留在 TIME_WAIT 才能再确认一次；其二，这条连接在网络里滞留的旧报文段，"
                                + "2MSL 之内都会消失，不会混进之后用同样端口建立的新连接。");
            }
        }

        long rel(String host, long seq) { return (seq - isn.get(host)) & 0xffffffffL; }

        /** A sequence number of host's space as the reader sees it: raw, or relative to host's ISN. */
        String show(String host, long seq) { return Long.toString(relative ? rel(host, seq) : seq); }

        void segment(LabEvent.Segment s) {
            String a = s.from(), b = s.to(), za = zhHost(a), zb = zhHost(b);
            boolean syn = s.has("SYN"), ack = s.has("ACK"), fin = s.has("FIN"), rst = s.has("RST");
            long seq = s.seq();
            Long ackNo = s.ack();
            String seqS = show(a, seq), ackS = ackNo == null ? "-" : show(b, ackNo);
            String dupS = lastAck.containsKey(b) ? show(a, lastAck.get(b)) : "-";

            if (s.dropped()) {
                say(s, "lost",
                        "This " + s.flagText() + " segment is lost on the way: " + b + " never sees it. " + a
                                + " can only find out from silence (its retransmission timer) or from duplicate ACKs.",
                        "这个 " + s.flagText() + " 报文段在途中丢失了，" + zb + "根本没有收到；" + za
                                + "只能靠重传计时器超时或重复 ACK 才能发现。");
            }

            // Retransmission: this segment covers sequence space the host has already sent.
            // A window probe (one byte pushed into a zero window) is not counted as sent: the data is
            // sent for real once the window opens. A SYN,ACK after one's own SYN (simultaneous open)
            // repeats the ISN by design (RFC 9293 3.5): not a retransmission either.
            boolean probe = !syn && !fin && s.len() <= 1 && Integer.valueOf(0).equals(lastWin.get(b));
            boolean synAckAfterSyn = syn && ack && sentSynAck.add(a);
            if (s.seqSpace() > 0 && !rst && !synAckAfterSyn) {
                long off = rel(a, seq);
                long end = sentEnd.getOrDefault(a, 0L);
                boolean seen = sentEnd.containsKey(a) && off < end;
                if (seen) {
                    if (zeroWindowSeenBy.contains(a) && s.len() <= 1 && !syn && !fin) { // repeated probe
                        say(s, "persist-probe",
                                "Window probe: the window is still closed, so when the persist timer fires " + a
                                        + " resends one byte (seq=" + seqS + ") to make " + b
                                        + " answer with its current window.",
                                "零窗口探测：窗口仍为 0，坚持计时器超时后，" + za + "再发送 1 个字节（seq=" + seqS
                                        + "），迫使" + zb + "回复当前的窗口大小。");
                    } else if (dupAcks.getOrDefault(a, 0) >= 3) {
                        say(s, "fast-retransmit",
                                "Fast retransmit: three duplicate ACKs (ack=" + dupS + ") tell " + a
                                        + " that the segment at seq=" + seqS + " was lost; it resends it at once"
                                        + " instead of waiting for the RTO (RFC 5681 3.2).",
                                "快速重传：收到三个重复 ACK（ack=" + dupS + "），说明 seq=" + seqS
                                        + " 的报文段丢失了，" + za + "立即重传，不必等待重传计时器超时（RFC 5681 3.2）。");
                    } else {
                        say(s, "retransmission",
                                "Retransmission: no ACK for seq=" + seqS + " arrived before the retransmission timer"
                                        + " (RTO) expired, so " + a + " sends the segment again and doubles the"
                                        + " RTO for the next try (exponential backoff, RFC 6298 5.5).",
                                "超时重传：在重传计时器（RTO）超时前没有收到 seq=" + seqS + " 的确认，" + za
                                        + "重传该报文段，并把 RTO 加倍（指数退避，RFC 6298 5.5）。");
                    }
                    rtoFired.remove(a);
                }
                if (!probe) sentEnd.put(a, Math.max(end, off + s.seqSpace()));
                if (!seen && probe) {
                    say(s, "persist-probe",
                            "Window probe: " + b + "'s window is 0, so when the persist timer fires " + a
                                    + " sends one byte (seq=" + seqS + ") anyway; the answer carries " + b
                                    + "'s current window. The timer backs off like the RTO while the window stays 0.",
                            "零窗口探测：" + zb + "的窗口为 0，坚持计时器超时后" + za + "仍发送 1 个字节（seq=" + seqS
                                    + "），对方的应答会带回当前窗口；窗口一直为 0 时，坚持计时器像 RTO 一样指数退避。");
                }
            }

            if (rst) {
                say(s, "reset",
                        a + " sends RST: the connection is aborted at once, without the four waves; " + b
                                + " reports \"connection reset\" (or \"connection refused\" if it was a SYN).",
                        za + "发送 RST 复位报文：连接立即中止，不经过四次挥手；" + zb
                                + "会报告“连接被重置”（若这个 RST 回应的是 SYN，则报告“连接被拒绝”）。");
            } else if (syn && !ack) {
                if (opener == null) opener = a;
                else if (!opener.equals(a)) {
                    say(s, "simultaneous-open",
                            "Simultaneous open: " + a + " sends its own SYN (seq=" + seqS + ") while " + b
                                    + "'s SYN is still on the way. Each side goes SYN_SENT -> SYN_RECEIVED and"
                                    + " answers with SYN+ACK; four segments, one connection (RFC 9293 3.5, figure 7).",
                            "同时打开：" + zb + "的 SYN 还在路上，" + za + "也发出了自己的 SYN（seq=" + seqS + "）。双方都经历"
                                    + " SYN_SENT -> SYN_RECEIVED，再各自回复 SYN+ACK：四个报文段，建立同一个连接（RFC 9293 3.5）。");
                }
                say(s, "handshake1",
                        "1st handshake: " + a + " sends SYN with seq=x=" + seqS + ", its initial sequence number"
                                + " (ISN), and is in SYN_SENT. A SYN carries no data but consumes one sequence"
                                + " number, so the answer must ack x+1.",
                        "第一次握手：" + za + "向" + zb + "发出 SYN，带上自己选的初始序列号 ISN（seq=x=" + seqS
                                + "），随即进入 SYN_SENT。这个 SYN 不带数据，却要消耗掉一个序号，"
                                + "因此对方确认时写的是 x+1。");
            } else if (syn) {
                if (acceptor == null) acceptor = a;
                say(s, "handshake2",
                        "2nd handshake: " + b + "'s SYN arrived, so " + a + " answers with its own SYN (seq=y="
                                + seqS + ", its ISN) and an ACK of x+1=" + ackS + ": the SYN used up one sequence"
                                + " number. " + a + " is in SYN_RECEIVED.",
                        "第二次握手：" + zb + "的 SYN 到了，" + za + "回一个报文段，里面既有自己的 SYN（seq=y=" + seqS
                                + "，它的 ISN），也有对那个 SYN 的确认 ack=x+1=" + ackS
                                + "：SYN 占了一个序号。" + za + "现在处于 SYN_RECEIVED。");
            } else if (ack && a.equals(opener) && acceptor != null && !synAcked && ackNo != null
                    && ackNo == ((isn.get(acceptor) + 1) & 0xffffffffL)) {
                synAcked = true;
                String data = s.len() == 0
                        ? " A bare ACK consumes no sequence number: " + a + "'s next segment still has seq=" + seqS + "."
                        : " This ACK also carries " + s.len() + " bytes of data, which do consume sequence numbers.";
                String zdata = s.len() == 0
                        ? "这个 ACK 没有数据，不消耗序号：" + za + "发的下一个报文段，seq 还是 " + seqS + "。"
                        : "这个 ACK 同时带了 " + s.len() + " 字节数据，这些数据要占用序号。";
                say(s, "handshake3",
                        "3rd handshake: " + a + " acks " + b + "'s SYN with ack=y+1=" + ackS + " and seq=x+1="
                                + seqS + "; " + a + " is ESTABLISHED, and so is " + b + " when this ACK arrives." + data,
                        "第三次握手：" + za + "用 ack=y+1=" + ackS + " 确认" + zb + "的 SYN（seq=x+1="
                                + seqS + "），自己进入 ESTABLISHED；这个 ACK 一到，" + zb + "也进入 ESTABLISHED。"
                                + zdata);
            }

            if (!rst && fin) {
                if (closer == null) {
                    closer = a;
                    say(s, "wave1",
                            "1st wave: " + a + " sends FIN (seq=u=" + seqS + "): it will send no more data and"
                                    + " enters FIN_WAIT_1, waiting for " + b + "'s ACK. Like a SYN, a FIN"
                                    + " consumes one sequence number.",
                            "第一次挥手：" + za + "发出 FIN（seq=u=" + seqS + "），表示自己不再发数据，"
                                    + "进入 FIN_WAIT_1，等" + zb + "确认。FIN 和 SYN 一样，要消耗掉一个序号。");
                } else if (!a.equals(closer) && !finSeq.containsKey(a) && state.get(a) == TcpState.FIN_WAIT_1
                        && !(ackNo != null && finEnd.containsKey(b) && ackNo.equals(finEnd.get(b)))) {
                    simultaneousClose = true;
                    say(s, "simultaneous-close",
                            "Simultaneous close: " + a + " sends its FIN (seq=" + seqS + ") before " + b
                                    + "'s FIN arrives, so the FINs cross. Each side goes FIN_WAIT_1 -> CLOSING when"
                                    + " the other's FIN comes, then TIME_WAIT when its own FIN is acked: both wait 2MSL.",
                            "同时关闭：" + zb + "的 FIN 到达之前，" + za + "也发出了自己的 FIN（seq=" + seqS + "），两个 FIN"
                                    + " 在途中交错。双方收到对方的 FIN 时从 FIN_WAIT_1 进入 CLOSING，自己的 FIN 被确认后进入"
                                    + " TIME_WAIT：双方都要等待 2MSL。");
                } else if (!a.equals(closer) && !finSeq.containsKey(a)) {
                    boolean acksFin = ackNo != null && finEnd.containsKey(b) && ackNo.equals(finEnd.get(b));
                    if (acksFin && !said.contains("wave2")) {
                        said.add("wave2");
                        said.add("wave3");
                        say(s, "wave23",
                                "2nd and 3rd waves in one segment: " + a + " had nothing left to send, so it"
                                        + " acks the FIN (ack=u+1=" + ackS + ") and sends its own FIN (seq=w=" + seqS
                                        + ") together, going to LAST_ACK.",
                                "第二次和第三次挥手合并在一个报文段里：" + za + "没有数据要发送，于是确认 FIN（ack=u+1="
                                        + ackS + "）的同时发出自己的 FIN（seq=w=" + seqS + "），进入 LAST_ACK 状态。");
                    } else {
                        say(s, "wave3",
                                "3rd wave: " + a + " has finished sending too and sends its own FIN (seq=w=" + seqS
                                        + ", ack=" + ackS + "); it enters LAST_ACK, waiting for the final ACK.",
                                "第三次挥手：" + za + "的数据也发完了，于是发出自己的 FIN（seq=w=" + seqS
                                        + "，ack=" + ackS + "），进入 LAST_ACK，等" + zb + "最后的确认。");
                        say(s, "why-four",
                                "Why four waves? On a SYN the server can send SYN and ACK at once, but when a FIN"
                                        + " arrives its application may still have data to send: the ACK goes first,"
                                        + " the FIN only when the application closes, so they cannot be merged.",
                                "为什么挥手要四次？握手时服务端可以把 SYN 和 ACK 放进同一个报文段；挥手时对方的 FIN 到了，"
                                        + "这边的应用也许还有数据要发：先回 ACK，等应用自己关闭了才发 FIN，"
                                        + "两者不能合并，于是多出一步。");
                    }
                }
                if (!finSeq.containsKey(a)) {
                    finSeq.put(a, seq);
                    finEnd.put(a, (seq + s.len() + 1) & 0xffffffffL);
                }
            } else if (!rst && ack && ackNo != null && finEnd.containsKey(b) && ackNo.equals(finEnd.get(b))) {
                if (simultaneousClose) {
                    // the crossing FINs are acked as in any close, but these are not the notes' waves
                } else if (b.equals(closer) && !finSeq.containsKey(a)) {
                    say(s, "wave2",
                            "2nd wave: " + a + " acks the FIN (ack=u+1=" + ackS + ", seq=v=" + seqS + ") and enters"
                                    + " CLOSE_WAIT. The connection is now half-closed: " + b + " -> " + a
                                    + " is finished, but " + a + " may still send data. " + b
                                    + " enters FIN_WAIT_2 when this ACK arrives.",
                            "第二次挥手：" + za + "确认这个 FIN（ack=u+1=" + ackS + "，seq=v=" + seqS + "），进入 CLOSE_WAIT。"
                                    + "连接成了半关闭：" + zb + "到" + za + "这个方向结束了，" + za + "仍可以继续发数据。"
                                    + zb + "收到这个 ACK 后进入 FIN_WAIT_2。");
                } else if (a.equals(closer) && finSeq.containsKey(b)) {
                    say(s, "wave4",
                            "4th wave: " + a + " acks " + b + "'s FIN (ack=w+1=" + ackS + ", seq=u+1=" + seqS
                                    + ") and enters TIME_WAIT; " + b + " is CLOSED as soon as this ACK arrives.",
                            "第四次挥手：" + za + "确认" + zb + "的 FIN（ack=w+1=" + ackS + "，seq=u+1=" + seqS
                                    + "），进入 TIME_WAIT；" + zb + "一收到这个 ACK 就到了 CLOSED。");
                }
            }

            boolean acksPeerFin = !rst && ack && !syn && ackNo != null && finEnd.containsKey(b) && ackNo.equals(finEnd.get(b));
            if (acksPeerFin && !fin && s.len() == 0 && !finAckSent.add(a) && state.get(a) == TcpState.TIME_WAIT) {
                say(s, "time-wait-reack",
                        "TIME_WAIT at work (reason 1): the last ACK was lost, " + b + " resent its FIN, and " + a
                                + ", still in TIME_WAIT, acknowledges it again and restarts the 2MSL timer."
                                + " Without TIME_WAIT that FIN would have been answered with RST.",
                        "TIME_WAIT 的作用（意义 1）：最后一个 ACK 丢失，" + zb + "重传了 FIN；" + za
                                + "仍处于 TIME_WAIT，于是再次确认，并重新启动 2MSL 计时器。若没有 TIME_WAIT，这个 FIN 只会得到 RST。");
            }
            if (!rst && !syn && !fin && s.len() > 0 && state.get(a) == TcpState.CLOSE_WAIT) {
                say(s, "half-close",
                        "Half-close: " + a + " is in CLOSE_WAIT and still sends data (" + s.len() + " bytes); "
                                + b + ", in FIN_WAIT_2, still receives and acknowledges it.",
                        "半关闭：" + za + "处于 CLOSE_WAIT 状态，仍然可以发送数据（" + s.len() + " 字节）；" + zb
                                + "虽然已发出 FIN，在 FIN_WAIT_2 状态仍然接收并确认这些数据。");
            }

            if (!rst && s.win() > 0 && Integer.valueOf(0).equals(lastWin.get(a))) {
                say(s, "window-update",
                        "Window update: " + a + "'s application read data, so it advertises win=" + s.win()
                                + " again and " + b + " may resume sending.",
                        "窗口更新：" + za + "的应用读走了数据，重新通告 win=" + s.win() + "，" + zb + "可以继续发送数据。");
            }
            if (!rst && ack && ackNo != null && !s.dropped() && ackNo == ((isn.get(b) + 1) & 0xffffffffL)
                    && run.segments().stream().anyMatch(x -> x.from().equals(b) && x.has("SYN"))) {
                synAckedFor.add(b);
            }
            if (!rst && s.win() == 0) {
                zeroWindowSeenBy.add(b);
                say(s, "zero-window",
                        "Zero window: " + a + " advertises win=0, its receive buffer is full and " + b
                                + " must stop sending data. " + b + " starts the persist timer and probes the window"
                                + " from time to time, so that a lost window update cannot leave both sides"
                                + " waiting forever (RFC 9293 3.8.6.1).",
                        "零窗口：" + za + "通告 win=0，接收缓存已满，" + zb + "必须停止发送数据。" + zb
                                + "启动坚持计时器，隔一段时间发一次零窗口探测：万一窗口更新的报文丢了，"
                                + "双方也不会一直互相等下去（RFC 9293 3.8.6.1）。");
            }

            // Duplicate ACK accounting (RFC 5681 2: no data, no SYN/FIN, same ack and window).
            if (ack && ackNo != null && !syn && !fin && !rst) {
                boolean outstanding = sentEnd.containsKey(b) && rel(b, ackNo) < sentEnd.get(b);
                boolean dup = s.len() == 0 && ackNo.equals(lastAck.get(a)) && outstanding && s.win() > 0
                        && Integer.valueOf(s.win()).equals(lastWin.get(a));
                if (dup) {
                    if (!s.dropped()) dupAcks.merge(b, 1, Integer::sum);
                    say(s, "dup-ack",
                            "Duplicate ACK: " + a + " received data beyond a hole and acks ack=" + ackS
                                    + " again, the first byte it is still missing. Each out-of-order segment"
                                    + " produces one more; three in a row trigger fast retransmit.",
                            "重复确认：" + za + "收到了缺口之后的数据，于是再次发送 ack=" + ackS
                                    + "（它仍在等待的第一个字节）。每个失序到达的报文段都会引发一个重复 ACK，"
                                    + "连续三个就触发快速重传。");
                } else if (!ackNo.equals(lastAck.get(a))) {
                    dupAcks.put(b, 0);
                }
                lastAck.put(a, ackNo);
                lastWin.put(a, s.win());
            } else if (ack && ackNo != null) {
                lastAck.put(a, ackNo);
                lastWin.put(a, s.win());
                dupAcks.put(b, 0);
            }
        }
    }
}
