package org.netstack4j.lab.scenario;


import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.netstack4j.lab.Golden;
import org.netstack4j.lab.JsonRun;
import org.netstack4j.lab.LabRun;
import org.netstack4j.lab.Lang;
import org.netstack4j.lab.TextLadder;

/**
 * Every story's text ladder and JSON, run on the real stacks with the default seed, against
 * golden files in src/test/resources/golden/stories/. A change in the stack that changes what a
 * story shows fails here; if intended, regenerate with -Dnetstack4j.golden.update=true and review
 * the diff.
 */
class StoryGoldenTest {
    static final Path DIR = Golden.ROOT.resolve("stories");

    static Stream<Arguments> outputs() {
        List<Arguments> out = new ArrayList<>();
        for (Scenario s : Scenarios.all()) {
            add(out, s.name(), s, ScenarioOptions.defaults());
            if (s.extraFlags().contains("--no-time-wait")) add(out, s.name() + "-no-time-wait", s, ScenarioOptions.defaults().withNoTimeWait(true));
            if (s.extraFlags().contains("--two-way")) add(out, s.name() + "-two-way", s, ScenarioOptions.defaults().withTwoWay(true));
        }
        // the handshake over IPv6 (demo handshake --ipv6): Neighbor Discovery, then the same segments between fd00::1 and fd00::2
        add(out, "handshake-ipv6", Scenarios.byName("handshake").orElseThrow(), ScenarioOptions.defaults().withIpv6(true));
        for (String zh : List.of("handshake", "teardown")) {
            LabRun run = LabRunner.run(Scenarios.byName(zh).orElseThrow(), ScenarioOptions.defaults());
            out.add(Arguments.of(zh + ".zh.txt", TextLadder.render(run, TextLadder.Options.defaults().withLang(Lang.ZH))));
        }
        return out.stream();
    }

    private static void add(List<Arguments> out, String file, Scenario s, ScenarioOptions o) {
        LabRun run = LabRunner.run(s, o);
        out.add(Arguments.of(file + ".en.txt", TextLadder.render(run, TextLadder.Options.defaults())));
        out.add(Arguments.of(file + ".json", JsonRun.render(run)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("outputs")
    void matchesGolden(String name, String actual) throws IOException {
        Golden.check(DIR, name, actual);
    }

    @ParameterizedTest(name = "{0} fits 100 columns")
    @MethodSource("outputs")
    void textFitsOneHundredColumns(String name, String actual) {
        Golden.assertFits(name, actual, 100);
    }
}
