package org.netstack4j.lab;


import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.netstack4j.wire.TcpOption;
import org.netstack4j.wire.TcpRepr;
import org.netstack4j.wire.UdpRepr;

/**
 * Renders the fixtures and compares with src/test/resources/golden/. Regenerate after an
 * intended change with {@code -Dnetstack4j.golden.update=true} and review the diff.
 */
class GoldenTest {
    static final Path DIR = Golden.ROOT;

    static LabRun fast() {
        Fixtures.Trace t = Fixtures.fastRetransmitZeroWindow();
        return TraceConverter.convert("fast-retransmit", t.client(), t.server());
    }

    static TcpRepr synForExplain() {
        return Fixtures.c2s(Fixtures.X, null, TcpRepr.SYN, 64240, List.of(new TcpOption.Mss(1460),
                new TcpOption.SackPermitted(), new TcpOption.Timestamps(1000, 0), new TcpOption.Nop(),
                new TcpOption.WindowScale(7)));
    }

    static Stream<Arguments> outputs() {
        LabRun hs = Fixtures.handshakeRun();
        TextLadder.Options d = TextLadder.Options.defaults();
        return Stream.of(
                Arguments.of("handshake.en.txt", TextLadder.render(hs, d)),
                Arguments.of("handshake.zh.txt", TextLadder.render(hs, d.withLang(Lang.ZH))),
                Arguments.of("handshake.ascii.txt", TextLadder.render(hs, d.withAscii(true))),
                Arguments.of("handshake.relative.txt", TextLadder.render(hs, d.withRelativeSeq(true))),
                Arguments.of("handshake.json", JsonRun.render(hs)),
                Arguments.of("fast-retransmit.en.txt", TextLadder.render(fast(), d)),
                Arguments.of("fast-retransmit.zh.txt", TextLadder.render(fast(), d.withLang(Lang.ZH).withRelativeSeq(true))),
                Arguments.of("fast-retransmit.json", JsonRun.render(fast())),
                Arguments.of("explain-layers.en.txt", Explain.layers(Lang.EN)),
                Arguments.of("explain-layers.zh.txt", Explain.layers(Lang.ZH)),
                Arguments.of("explain-tcp-header.en.txt", Explain.tcpHeader(synForExplain(), 0, Lang.EN)),
                Arguments.of("explain-tcp-header.zh.txt", Explain.tcpHeader(synForExplain(), 0, Lang.ZH)),
                Arguments.of("explain-tcp-header-checksum.en.txt", Explain.tcpHeader(Fixtures.C, Fixtures.S,
                        synForExplain(), new byte[0], Lang.EN)),
                Arguments.of("explain-udp-header-checksum.zh.txt", Explain.udpHeader(Fixtures.C, Fixtures.S,
                        new UdpRepr(5353, 53), "hello".getBytes(java.nio.charset.StandardCharsets.US_ASCII), Lang.ZH)),
                Arguments.of("explain-udp-header.en.txt", Explain.udpHeader(null, null, new UdpRepr(5353, 53), new byte[12], Lang.EN)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("outputs")
    void matchesGolden(String name, String actual) throws IOException {
        Golden.check(DIR, name, actual);
    }

    @ParameterizedTest(name = "{0} fits 100 columns")
    @MethodSource("outputs")
    void everyLineFits100Columns(String name, String actual) {
        Golden.assertFits(name, actual, 100);
    }
}
