package org.sparsitybench.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import java.util.Arrays;

/**
 * The package arrows of STYLE.md, enforced: the engine never touches a GUI toolkit, only the CLI prints to
 * stdout, and each room imports only the rooms below it. ({@code task} is importable by every room: it is the
 * toolkit-free contract through which the engine reports progress and hears cancellation.) The development
 * instruments in {@code tools} sit beside the product: they may use every room but the UI, and no product room
 * uses them; {@code app} only adds their commands to the command line.
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
            .that().resideInAnyPackage(engine("model", "formats", "prune", "eval", "project", "session", "task", "train",
                    "quantize", "samples", "tools"))
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
    static final ArchRule modelImportsNothingOfOurs = rule("model", "formats", "prune", "eval", "project", "session", "task", "train", "samples", "cli", "app", "ui");

    @ArchTest
    static final ArchRule taskImportsNothingOfOurs = rule("task", "model", "formats", "prune", "eval", "project", "session", "train", "samples", "cli", "app", "ui");

    @ArchTest
    static final ArchRule formatsImportOnlyModel = rule("formats", "prune", "eval", "project", "session", "train", "samples", "cli", "app", "ui");

    @ArchTest
    static final ArchRule pruneImportsOnlyModel = rule("prune", "formats", "eval", "project", "session", "train", "samples", "cli", "app", "ui");

    @ArchTest
    static final ArchRule evalStaysBelowProjectAndUi = rule("eval", "project", "session", "train", "samples", "cli", "app", "ui");

    @ArchTest
    static final ArchRule projectStaysBelowUi = rule("project", "formats", "session", "train", "cli", "app", "ui");

    /**
     * Training reads graphs (formats), recomputes masks (prune), runs teachers and checks exports (eval); the
     * project file, the CLI, the window and the sample generator sit above it.
     */
    @ArchTest
    static final ArchRule trainStaysBelowProjectCliAndUi = noClasses().that().resideInAPackage(ROOT + "train..")
            .should().dependOnClassesThat().resideInAnyPackage(engine("project", "samples", "tools", "cli", "app", "ui"))
            .allowEmptyShould(true)
            .because("STYLE.md: train may import model, formats, prune, eval and task only; the sample generator "
                    + "(a tool) uses train, never the other way round");

    /**
     * The workbench's own files (autosave, recent files, the user folder) sit above the saved project format and
     * below the window: they write through {@code formats.AtomicFiles} and never see a toolkit or an engine run.
     */
    @ArchTest
    static final ArchRule sessionStaysBelowUi = rule("session", "prune", "eval", "samples", "tools", "cli", "app", "ui");

    @ArchTest
    static final ArchRule viewModelsHoldNoNodes = noClasses()
            .that().haveSimpleNameEndingWith("ViewModel")
            .should().dependOnClassesThat().resideInAnyPackage("javafx.scene..", "javafx.stage..", "org.jfree..")
            .because("STYLE.md: a ViewModel holds state and validates input without any Node, so it is tested with "
                    + "plain JUnit; the View binds to it and lays out");

    @ArchTest
    static final ArchRule samplesTrainBelowTheProductLayers = rule("samples", "prune", "project", "cli", "app", "ui");

    @ArchTest
    static final ArchRule quantizeIsToolkitFree = noClasses()
            .that().resideInAPackage(ROOT + "quantize..")
            .should().dependOnClassesThat().resideInAnyPackage(GUI)
            .because("quantization runs headless from the CLI and in tests, like the rest of the engine; the window "
                    + "reaches it through a ViewModel");

    @ArchTest
    static final ArchRule quantizeImportsOnlyTheEngineBelowIt = rule("quantize", "project", "train", "samples",
            "tools", "cli", "app", "ui");

    @ArchTest
    static final ArchRule theEngineBelowQuantizeDoesNotUseIt = noClasses()
            .that().resideInAnyPackage(engine("model", "formats", "prune", "eval", "task", "train"))
            .should().dependOnClassesThat().resideInAPackage(ROOT + "quantize..")
            .because("STYLE.md: quantize sits above model, formats, prune, eval and task, which never import it, "
                    + "and beside train");

    @ArchTest
    static final ArchRule uiDoesNotUseTheCliOrApp = rule("ui", "cli", "app");

    @ArchTest
    static final ArchRule cliDoesNotUseTheUi = rule("cli", "ui", "app");

    @ArchTest
    static final ArchRule theProductNeverUsesTheTools = noClasses()
            .that().resideOutsideOfPackages(ROOT + "tools..", ROOT + "app..")
            .should().dependOnClassesThat().resideInAPackage(ROOT + "tools..")
            .because("tools (benches, fuzz corpora) are instruments for developing the product: the product builds, "
                    + "runs and reads without them; only app, the wiring, adds their commands to the command line");

    @ArchTest
    static final ArchRule toolsRunHeadlessWithoutTheUi = noClasses()
            .that().resideInAPackage(ROOT + "tools..")
            .should().dependOnClassesThat().resideInAnyPackage(withUi(GUI))
            .because("the tools are command-line instruments: they may use every room of the product but the UI, "
                    + "and run headless like the engine they measure");

    /** The malformed-input corpora generate files for the readers: they need the readers, not the engine. */
    @ArchTest
    static final ArchRule fuzzUsesOnlyTheReadersItFeeds = rule("tools.fuzz", "prune", "eval", "samples", "app", "ui");

    private static ArchRule rule(String room, String... forbidden) {
        return noClasses().that().resideInAPackage(ROOT + room + "..")
                .should().dependOnClassesThat().resideInAnyPackage(engine(forbidden))
                .allowEmptyShould(true)
                .because("STYLE.md: " + room + " may not import " + String.join(", ", forbidden));
    }

    private static String[] withUi(String[] packages) {
        String[] out = Arrays.copyOf(packages, packages.length + 1);
        out[packages.length] = ROOT + "ui..";
        return out;
    }

    private static String[] engine(String... rooms) {
        String[] out = new String[rooms.length];
        for (int i = 0; i < rooms.length; i++) {
            out[i] = ROOT + rooms[i] + "..";
        }
        return out;
    }
}
