import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.util.Arrays;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

/**
 * Runs the Jazzer @FuzzTest of one class in this JVM (Jazzer fuzzes one test per JVM), for
 * scripts/fuzz.sh: {@code java -cp <module test classpath> scripts/FuzzLaunch.java <class>}.
 * Without JAZZER_FUZZ it replays the seeds of every class named.
 * JAZZER_FUZZ=1 and the jazzer.* system properties decide what it does. Exit 0: no finding.
 */
public class FuzzLaunch {
    public static void main(String[] args) {
        Launcher launcher = LauncherFactory.create();
        SummaryGeneratingListener summary = new SummaryGeneratingListener();
        launcher.execute(LauncherDiscoveryRequestBuilder.request().selectors(Arrays.stream(args).map(c -> selectClass(c)).toList()).build(), summary);
        TestExecutionSummary s = summary.getSummary();
        for (TestExecutionSummary.Failure f : s.getFailures()) {
            System.out.println("FINDING " + f.getTestIdentifier().getDisplayName() + ": " + f.getException());
        }
        System.out.println("FuzzLaunch: " + s.getTestsSucceededCount() + " passed, " + s.getTotalFailureCount()
                + " failed, " + s.getTestsSkippedCount() + " skipped");
        System.exit(s.getTotalFailureCount() == 0 && s.getTestsFoundCount() > 0 ? 0 : 1);
    }
}
