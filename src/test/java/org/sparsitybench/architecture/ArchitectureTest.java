package org.sparsitybench.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * The package arrows of STYLE.md, enforced: the engine never touches a GUI toolkit, only the CLI prints to
 * stdout, and each room imports only the rooms below it. ({@code task} is importable by every room: it is the
 * toolkit-free contract through which the engine reports progress and hears cancellation.)
 */
@AnalyzeClasses(packages = "org.sparsitybench", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {
    private static final String ROOT = "org.sparsitybench.";
    /**
     * Windowing toolkits. {@code java.awt.image} and {@code java.awt.color} (pixel buffers, as
     * {@code javax.imageio} returns them) are allowed: reading an image-folder dataset needs no display.
     */
    private static final String[] GUI = {"javafx..", "java.awt", "java.awt.event..", "java.awt.dnd..",
        "java.awt.datatransfer..", "java.awt.geom..", "java.awt.font..", "java.awt.print..", "javax.swing..",
        "org.jfree..", "org.controlsfx.."};

    @ArchTest
    static final ArchRule engineIsToolkitFree = noClasses()
            .that().resideInAnyPackage(engine("model", "formats", "prune", "eval", "project", "session", "task", "samples",
                    "fuzz"))
            .should().dependOnClassesThat().resideInAnyPackage(GUI)
            .because("the engine runs headless from the CLI and in tests; only ui and app may use JavaFX or AWT "
                    + "(image decoding through javax.imageio and java.awt.image is headless and allowed)");

    @ArchTest
    static final ArchRule onlyTheCliPrintsToStdout = noClasses()
            .that().resideOutsideOfPackage(ROOT + "cli..")
            .should().accessField(System.class, "out")
            .because("stdout carries command results (tables, JSON); everything else reports through return values, "
                    + "exceptions and progress listeners");

    @ArchTest
    static final ArchRule modelImportsNothingOfOurs = rule("model", "formats", "prune", "eval", "project", "session", "task", "samples", "cli", "app", "ui");

    @ArchTest
    static final ArchRule taskImportsNothingOfOurs = rule("task", "model", "formats", "prune", "eval", "project", "session", "samples", "cli", "app", "ui");

    @ArchTest
    static final ArchRule formatsImportOnlyModel = rule("formats", "prune", "eval", "project", "session", "samples", "cli", "app", "ui");

    @ArchTest
    static final ArchRule pruneImportsOnlyModel = rule("prune", "formats", "eval", "project", "session", "samples", "cli", "app", "ui");

    @ArchTest
    static final ArchRule evalStaysBelowProjectAndUi = rule("eval", "project", "session", "samples", "cli", "app", "ui");

    @ArchTest
    static final ArchRule projectStaysBelowUi = rule("project", "formats", "session", "cli", "app", "ui");

    /**
     * The workbench's own files (autosave, recent files, the user folder) sit above the saved project format and
     * below the window: they write through {@code formats.AtomicFiles} and never see a toolkit or an engine run.
     */
    @ArchTest
    static final ArchRule sessionStaysBelowUi = rule("session", "prune", "eval", "samples", "fuzz", "cli", "app", "ui");

    @ArchTest
    static final ArchRule viewModelsHoldNoNodes = noClasses()
            .that().haveSimpleNameEndingWith("ViewModel")
            .should().dependOnClassesThat().resideInAnyPackage("javafx.scene..", "javafx.stage..", "org.jfree..")
            .because("STYLE.md: a ViewModel holds state and validates input without any Node, so it is tested with "
                    + "plain JUnit; the View binds to it and lays out");

    @ArchTest
    static final ArchRule samplesTrainBelowTheProductLayers = rule("samples", "prune", "project", "cli", "app", "ui");

    @ArchTest
    static final ArchRule uiDoesNotUseTheCliOrApp = rule("ui", "cli", "app");

    @ArchTest
    static final ArchRule cliDoesNotUseTheUi = rule("cli", "ui", "app");

    /** The malformed-input corpora generate files for the readers: they sit beside the readers, under the CLI. */
    @ArchTest
    static final ArchRule fuzzUsesOnlyTheReadersItFeeds = rule("fuzz", "prune", "eval", "samples", "cli", "app", "ui");

    @ArchTest
    static final ArchRule onlyTheCliRunsTheFuzzCorpora = noClasses()
            .that().resideOutsideOfPackages(ROOT + "fuzz..", ROOT + "cli..")
            .should().dependOnClassesThat().resideInAPackage(ROOT + "fuzz..")
            .because("the fuzz corpora are a test instrument the CLI exposes; the product never depends on them");

    private static ArchRule rule(String room, String... forbidden) {
        return noClasses().that().resideInAPackage(ROOT + room + "..")
                .should().dependOnClassesThat().resideInAnyPackage(engine(forbidden))
                .allowEmptyShould(true)
                .because("STYLE.md: " + room + " may not import " + String.join(", ", forbidden));
    }

    private static String[] engine(String... rooms) {
        String[] out = new String[rooms.length];
        for (int i = 0; i < rooms.length; i++) {
            out[i] = ROOT + rooms[i] + "..";
        }
        return out;
    }
}
