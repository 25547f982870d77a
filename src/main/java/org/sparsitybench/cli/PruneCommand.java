package org.sparsitybench.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.sparsitybench.eval.PruneExport;
import org.sparsitybench.formats.AtomicFiles;
import org.sparsitybench.formats.ModelFiles;
import org.sparsitybench.model.Model;
import org.sparsitybench.model.ModelFormat;
import org.sparsitybench.model.UnsupportedModelException;
import org.sparsitybench.model.WeightTensor;
import org.sparsitybench.prune.Allocation;
import org.sparsitybench.prune.BitMask;
import org.sparsitybench.prune.GlobalSettings;
import org.sparsitybench.prune.LayerResult;
import org.sparsitybench.prune.LayerSettings;
import org.sparsitybench.prune.Mask;
import org.sparsitybench.prune.Masking;
import org.sparsitybench.prune.PruningConfig;
import org.sparsitybench.prune.PruningEngine;
import org.sparsitybench.prune.PruningResult;
import org.sparsitybench.prune.method.NmPattern;
import org.sparsitybench.prune.structure.ChannelCompactor;
import org.sparsitybench.prune.structure.ChannelGroup;
import org.sparsitybench.prune.structure.ChannelStructure;
import org.sparsitybench.prune.structure.StructuredSelection;
import org.sparsitybench.task.CancellationToken;
import org.sparsitybench.task.ProgressListener;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code sparsitybench prune MODEL --out OUT ...}: prunes with one method and allocation, writes the model in its
 * own format and {@code OUT.report.json} (per-layer and total results, the configuration, the masks' SHA-256,
 * the compaction check). The input file is never written.
 */
@Command(name = "prune", mixinStandardHelpOptions = true,
        description = "Prune a model and write it with a report (OUT.report.json).")
public final class PruneCommand implements Callable<Integer> {
    static final List<String> METHODS = List.of("magnitude", "global", "random", "l1-structured", "l2-structured",
            "nm", "wanda");

    @Parameters(index = "0", paramLabel = "MODEL", description = "An .onnx or .safetensors file.")
    Path model;

    @Option(names = "--out", required = true, paramLabel = "OUT", description = "Output model path.")
    Path out;

    @Option(names = "--method", paramLabel = "METHOD", defaultValue = "magnitude",
            description = "magnitude | global | random | l1-structured | l2-structured | nm | wanda (default ${DEFAULT-VALUE}).")
    String method;

    @Option(names = "--sparsity", paramLabel = "S", defaultValue = "0.5", description = "Target sparsity 0..1 (default ${DEFAULT-VALUE}).")
    double sparsity;

    @Option(names = "--allocation", paramLabel = "A", description = "uniform | global | layer-normalized | erk | sensitivity.")
    String allocation;

    @Option(names = "--layer", paramLabel = "NAME=S", description = "Per-layer sparsity override (repeatable).")
    List<String> layers = new ArrayList<>();

    @Option(names = "--exclude", paramLabel = "NAME", description = "Keep this layer dense (repeatable).")
    List<String> exclude = new ArrayList<>();

    @Option(names = "--nm", paramLabel = "N:M", defaultValue = "2:4", description = "N:M pattern for --method nm (default ${DEFAULT-VALUE}).")
    String nm;

    @Option(names = "--seed", defaultValue = "0", description = "Seed for random pruning (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--config", paramLabel = "FILE", description = "A pruning configuration (JSON) or a project (.sbproj); options given too override it.")
    Path config;

    @Option(names = "--data", paramLabel = "DATASET", description = "Calibration data (Wanda).")
    Path data;

    @Option(names = "--calibration", defaultValue = "128", description = "Calibration samples (Wanda).")
    int calibration;

    @Option(names = "--accuracy-budget", paramLabel = "DROP", description = "With --allocation sensitivity: instead of "
            + "--sparsity, prune as far as the measured accuracy drop allows (e.g. 0.01 = one point).")
    Double accuracyBudget;

    @Option(names = "--compact", description = "Physically remove pruned channels (structured methods, ONNX).")
    boolean compact;

    @Option(names = "--sparse-storage", description = "Store pruned ONNX weights as sparse_initializers.")
    boolean sparseStorage;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (!METHODS.contains(method)) {
            throw new SparsityBenchCli.UsageException("unknown method '" + method + "'; one of " + METHODS);
        }
        if (!(sparsity >= 0 && sparsity <= 1)) {
            throw new SparsityBenchCli.UsageException("--sparsity " + sparsity + " outside [0, 1]");
        }
        AtomicFiles.refuseOverwrite(model, out);
        Model m = ModelFiles.read(model);
        if (!m.format().id().equals(extension(out)) && !extension(out).isEmpty()) {
            throw new SparsityBenchCli.UsageException(out + ": the output must keep the input's format (."
                    + m.format().id() + ")");
        }
        if (method.equals("wanda") && (data == null || m.format() != ModelFormat.ONNX)) {
            throw new SparsityBenchCli.UsageException("wanda needs an ONNX model and calibration data: --data DATASET "
                    + "[--calibration K]");
        }
        boolean structured = method.endsWith("-structured");
        if ((structured || compact) && m.format() != ModelFormat.ONNX) {
            throw new UnsupportedModelException(model + ": structured pruning and --compact need a graph (ONNX); "
                    + m.format().id() + " holds weights only");
        }
        if (compact && !structured) {
            throw new SparsityBenchCli.UsageException("--compact removes whole channels; use it with l1-structured or l2-structured");
        }
        if (sparseStorage && m.format() != ModelFormat.ONNX) {
            throw new UnsupportedModelException("--sparse-storage writes ONNX sparse_initializers; " + m.format().id()
                    + " has no sparse storage");
        }
        Map<String, Double> overrides = parseLayers(m);
        for (String e : exclude) {
            requirePrunable(m, e);
        }

        PruningConfig cfg = buildConfig(overrides);
        Map<String, Mask> masks = new LinkedHashMap<>();
        Map<String, float[]> values = new LinkedHashMap<>();
        List<LayerResult> layerResults = new ArrayList<>();
        ObjectNode extra = new ObjectMapper().createObjectNode();
        ChannelCompactor.Compaction compaction = null;

        if (structured) {
            ChannelStructure structure = ChannelStructure.analyze(m);
            int norm = method.startsWith("l1") ? 1 : 2;
            Map<String, Double> perSource = new HashMap<>(overrides);
            exclude.forEach(e -> perSource.put(e, 0.0));
            Map<Integer, boolean[]> keep = StructuredSelection.select(m, structure, norm, sparsity, perSource, CancellationToken.NONE);
            ArrayNode groups = extra.putArray("groups");
            for (ChannelGroup g : structure.groups()) {
                boolean[] k = keep.get(g.id());
                int removed = 0;
                for (boolean b : k) {
                    removed += b ? 0 : 1;
                }
                ObjectNode o = groups.addObject();
                o.putPOJO("sources", g.sources());
                o.put("channels", g.channels());
                o.put("removed", removed);
                o.put("pinned", g.pinned());
                g.refusal().ifPresent(r -> o.put("refusal", r));
                if (compact && removed > 0 && !g.compactable()) {
                    throw new UnsupportedModelException(g.refusal().orElse("channels of " + g.sources() + " reach a graph output"));
                }
            }
            values.putAll(ChannelCompactor.zeroRemovedChannels(m, structure, keep, Map.of()));
            if (compact) {
                compaction = ChannelCompactor.compact(m, structure, keep, Map.of());
            }
            for (WeightTensor t : m.prunableTensors()) {
                float[] v = values.getOrDefault(t.name(), null);
                Mask mask = v == null ? BitMask.allKept(t.elementCount()) : Masking.keptWhereNonZero(t.data().readAllFloats(), v);
                masks.put(t.name(), mask);
                layerResults.add(result(t, method, structure.groupOf(t.name()).isPresent()
                        ? perSource.getOrDefault(t.name(), sparsity) : 0, mask));
            }
        } else if (method.equals("wanda")) {
            org.sparsitybench.eval.ModelCard card = org.sparsitybench.eval.ModelCard.forModel(model, null);
            Map<String, org.sparsitybench.eval.ActivationNorms.LayerNorms> norms = org.sparsitybench.eval.ActivationNorms
                    .capture(m, card, org.sparsitybench.formats.data.Datasets.open(data), calibration,
                            ProgressListener.NONE, CancellationToken.NONE);
            List<String> fallback = new ArrayList<>();
            for (WeightTensor t : m.prunableTensors()) {
                double level = exclude.contains(t.name()) ? 0 : overrides.getOrDefault(t.name(), sparsity);
                var n = norms.get(t.name());
                Mask mask;
                if (n != null) {
                    mask = org.sparsitybench.prune.method.Wanda.select(t, n.norms(), n.featureAxis(), level, CancellationToken.NONE);
                } else {
                    fallback.add(t.name());
                    PruningConfig one = PruningConfig.of(GlobalSettings.of(0, "magnitude", Allocation.UNIFORM));
                    for (WeightTensor o : m.prunableTensors()) {
                        one = one.withLayer(o.name(), o == t ? LayerSettings.override(level) : LayerSettings.excludedLayer());
                    }
                    mask = new PruningEngine(m).run(one, ProgressListener.NONE, CancellationToken.NONE).mask(t.name());
                }
                masks.put(t.name(), mask);
                if (mask.prunedCount() > 0) {
                    values.put(t.name(), Masking.apply(t.data(), mask));
                }
                layerResults.add(result(t, n != null ? "wanda" : "magnitude", level, mask));
            }
            extra.put("calibrationSamples", calibration);
            if (!fallback.isEmpty()) {
                extra.putPOJO("wandaFallbackToMagnitude", fallback);
            }
        } else if (method.equals("nm")) {
            String[] p = nm.split(":");
            int n;
            int mm;
            try {
                n = Integer.parseInt(p[0].trim());
                mm = Integer.parseInt(p[1].trim());
            } catch (RuntimeException e) {
                throw new SparsityBenchCli.UsageException("--nm '" + nm + "' is not N:M");
            }
            int violations = 0;
            for (WeightTensor t : m.prunableTensors()) {
                Mask mask = exclude.contains(t.name()) ? BitMask.allKept(t.elementCount())
                        : NmPattern.select(t, n, mm, CancellationToken.NONE);
                violations += exclude.contains(t.name()) ? 0 : NmPattern.violations(t, mask, n, mm).size();
                masks.put(t.name(), mask);
                if (mask.prunedCount() > 0) {
                    values.put(t.name(), Masking.apply(t.data(), mask));
                }
                layerResults.add(result(t, "nm", exclude.contains(t.name()) ? 0 : (double) (mm - n) / mm, mask));
            }
            extra.put("nmPattern", n + ":" + mm);
            extra.put("nmViolations", violations);
        } else {
            org.sparsitybench.prune.SensitivityAllocation hook = null;
            if (cfg.global().allocation() == Allocation.SENSITIVITY) {
                if (data == null || m.format() != ModelFormat.ONNX) {
                    throw new SparsityBenchCli.UsageException("--allocation sensitivity measures each layer on data: give "
                            + "--data DATASET with an ONNX model");
                }
                var curves = org.sparsitybench.eval.Sensitivity.analyze(m,
                        org.sparsitybench.eval.ModelCard.forModel(model, null), org.sparsitybench.formats.data.Datasets.open(data),
                        List.of(0.0, 0.3, 0.5, 0.7, 0.8, 0.9, 0.95), Math.max(calibration, 500), ProgressListener.NONE,
                        CancellationToken.NONE);
                hook = org.sparsitybench.eval.Sensitivity.hook(curves);
                extra.put("sensitivitySamples", Math.max(calibration, 500));
                if (accuracyBudget != null) {
                    Map<String, Double> levels = org.sparsitybench.eval.Sensitivity.allocationForBudget(curves, accuracyBudget);
                    for (Map.Entry<String, Double> e : levels.entrySet()) {
                        if (!exclude.contains(e.getKey()) && !overrides.containsKey(e.getKey())) {
                            cfg = cfg.withLayer(e.getKey(), LayerSettings.override(e.getValue()));
                        }
                    }
                    extra.put("accuracyBudget", accuracyBudget);
                }
            }
            PruningResult r = new PruningEngine(m, new org.sparsitybench.prune.ScoreCache(false), hook)
                    .run(cfg, ProgressListener.NONE, CancellationToken.NONE);
            layerResults.addAll(r.layers());
            masks.putAll(r.masks());
            for (Map.Entry<String, Mask> e : r.masks().entrySet()) {
                if (e.getValue().prunedCount() > 0) {
                    values.put(e.getKey(), Masking.apply(m.tensor(e.getKey()).orElseThrow().data(), e.getValue()));
                }
            }
            if (!r.messages().isEmpty()) {
                extra.putPOJO("messages", r.messages());
            }
        }

        PruneExport.Report written = PruneExport.write(new PruneExport.Request(m, model, method, sparsity, cfg,
                layerResults, masks, values, new HashSet<>(exclude), extra, compaction,
                new PruneExport.Options(out, compact, sparseStorage)), ProgressListener.NONE, CancellationToken.NONE);
        ObjectNode report = written.json();
        Path reportFile = written.file();
        ObjectNode check = (ObjectNode) report.get("compactionCheck");
        PrintWriter pw = spec.commandLine().getOut();
        ObjectNode totals = (ObjectNode) report.get("totals");
        pw.printf(Locale.ROOT, "%s: %s at %.1f%% requested, %.2f%% achieved; %,d → %,d parameters; %s → %s bytes%n",
                out, method, 100 * sparsity, 100 * totals.get("achieved").asDouble(), totals.get("paramsBefore").asLong(),
                totals.get("paramsAfter").asLong(), totals.get("fileBytesBefore").asLong(), totals.get("fileBytesAfter").asLong());
        if (check != null) {
            pw.printf(Locale.ROOT, "compaction check: passed (max |diff| %.3g)%n", check.get("maxAbsDiff").asDouble());
        }
        if (sparseStorage) {
            pw.println("note: ONNX Runtime densifies sparse_initializers on load: the file is smaller, inference is not faster.");
        } else if (!structured) {
            pw.println("note: zeroed weights do not speed up ONNX Runtime's dense CPU kernels; structured pruning with"
                    + " --compact does.");
        }
        pw.println("report: " + reportFile);
        pw.flush();
        return SparsityBenchCli.EXIT_OK;
    }

    private static String extension(Path p) {
        String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
        int dot = n.lastIndexOf('.');
        return dot < 0 ? "" : n.substring(dot + 1);
    }

    private void requirePrunable(Model m, String name) {
        if (m.tensor(name).filter(WeightTensor::prunable).isEmpty()) {
            throw new SparsityBenchCli.UsageException("no prunable tensor named '" + name + "' in " + model
                    + " (see 'sparsitybench inspect')");
        }
    }

    private Map<String, Double> parseLayers(Model m) {
        Map<String, Double> out = new LinkedHashMap<>();
        for (String spec : layers) {
            int eq = spec.lastIndexOf('=');
            if (eq <= 0) {
                throw new SparsityBenchCli.UsageException("--layer '" + spec + "' is not NAME=S");
            }
            String name = spec.substring(0, eq);
            double s;
            try {
                s = Double.parseDouble(spec.substring(eq + 1));
            } catch (NumberFormatException e) {
                throw new SparsityBenchCli.UsageException("--layer '" + spec + "': sparsity is not a number");
            }
            if (!(s >= 0 && s <= 1)) {
                throw new SparsityBenchCli.UsageException("--layer '" + spec + "': sparsity outside [0, 1]");
            }
            requirePrunable(m, name);
            out.put(name, s);
        }
        return out;
    }

    private PruningConfig buildConfig(Map<String, Double> overrides) throws IOException {
        PruningConfig base = null;
        if (config != null) {
            if (config.getFileName().toString().endsWith(org.sparsitybench.project.Project.EXTENSION)) {
                var opened = org.sparsitybench.project.ProjectFiles.read(config);
                base = opened.project().config();
                String hash = opened.project().modelSha256();
                if (hash != null && !hash.equalsIgnoreCase(org.sparsitybench.project.ProjectFiles.sha256(model))) {
                    spec.commandLine().getErr().println("warning: " + config + " was saved for a model with SHA-256 "
                            + hash + "; " + model + " differs, so layer settings may not fit it");
                    spec.commandLine().getErr().flush();
                }
            } else {
                try {
                    base = PruningConfig.fromJson(Files.readString(config, StandardCharsets.UTF_8));
                } catch (IllegalArgumentException e) {
                    throw new org.sparsitybench.model.ModelFormatException(config, "", e.getMessage());
                }
            }
        }
        Allocation alloc = allocation != null ? parseAllocation(allocation)
                : method.equals("global") ? Allocation.GLOBAL : base != null ? base.global().allocation() : Allocation.UNIFORM;
        String engineMethod = method.equals("global") ? "magnitude" : method;
        boolean methodGiven = spec.commandLine().getParseResult().hasMatchedOption("--method");
        boolean sparsityGiven = spec.commandLine().getParseResult().hasMatchedOption("--sparsity");
        GlobalSettings g = base == null ? new GlobalSettings(sparsity, engineMethod, alloc, nm, seed, null)
                : new GlobalSettings(sparsityGiven ? sparsity : base.global().target(),
                methodGiven ? engineMethod : base.global().method(), alloc, base.global().nmPattern(),
                spec.commandLine().getParseResult().hasMatchedOption("--seed") ? seed : base.global().seed(),
                base.global().calibration());
        if (base != null && !sparsityGiven) {
            sparsity = g.target();
        }
        PruningConfig cfg = new PruningConfig(g, base == null ? Map.of() : base.layers());
        for (Map.Entry<String, Double> e : overrides.entrySet()) {
            cfg = cfg.withLayer(e.getKey(), LayerSettings.override(e.getValue()));
        }
        for (String e : exclude) {
            cfg = cfg.withLayer(e, LayerSettings.excludedLayer());
        }
        return cfg;
    }

    static Allocation parseAllocation(String s) {
        return switch (s.toLowerCase(Locale.ROOT)) {
            case "uniform" -> Allocation.UNIFORM;
            case "global" -> Allocation.GLOBAL;
            case "layer-normalized", "layer-normalised" -> Allocation.LAYER_NORMALIZED;
            case "erk" -> Allocation.ERK;
            case "sensitivity" -> Allocation.SENSITIVITY;
            default -> throw new SparsityBenchCli.UsageException("unknown allocation '" + s
                    + "'; one of uniform, global, layer-normalized, erk, sensitivity");
        };
    }


    private static LayerResult result(WeightTensor t, String method, double requested, Mask mask) {
        Masking.Energy e = Masking.energy(t.data(), mask, CancellationToken.NONE);
        return new LayerResult(t.name(), method, LayerResult.Status.ALLOCATED, requested, mask.sparsity(),
                t.elementCount(), mask.keptCount(), e.retained());
    }
}
