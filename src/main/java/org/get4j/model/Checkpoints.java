package org.get4j.model;

import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.get4j.Get4jException;
import org.get4j.io.HostTensor;
import org.get4j.io.JsonErrors;
import org.get4j.io.SafeTensors;
import org.get4j.io.TorchFile;
import org.get4j.runtime.Torch;
import org.get4j.runtime.Versions;

/**
 * Model weights in and out. Two formats:
 * <ul>
 *   <li>the reference's torch.save checkpoints ({@code {'args', 'model', 'ema', 'opt'}}) or bare state dicts,
 *       read by key name; they do not record get4j's model config, so the caller names it;</li>
 *   <li>get4j's own: one safetensors file with tensors {@code model.<key>} and {@code ema.<key>} under the
 *       reference's key names, and metadata {@code get4j.config} (the model config as JSON), {@code get4j.version}
 *       and a SHA-256 of the data. Python reads it with {@code safetensors.torch.load_file}.</li>
 * </ul>
 * Loading is strict by default: missing, unexpected and wrongly shaped keys are all listed in one error.
 */
public final class Checkpoints {
    public static final String FORMAT = "get4j-checkpoint-1";
    /** Metadata of an export ({@link #exportWeights}): which weights it kept; a resume refuses such a file. */
    public static final String EXPORTED = "get4j.weights";
    private static final ObjectMapper JSON = new ObjectMapper();

    private Checkpoints() {}

    /** Which weights of a checkpoint to use. */
    public enum Weights { EMA, MODEL }

    /** Copies a state dict into the model's parameters by key. */
    public static void loadStateDict(Generator model, Map<String, HostTensor> stateDict, String source,
            boolean strict) {
        Map<String, Parameter> ours = model.stateDict();
        List<String> problems = new ArrayList<>();
        TreeSet<String> missing = new TreeSet<>(ours.keySet());
        missing.removeAll(stateDict.keySet());
        TreeSet<String> unexpected = new TreeSet<>(stateDict.keySet());
        unexpected.removeAll(ours.keySet());
        if (!missing.isEmpty()) {
            problems.add("missing keys " + missing);
        }
        if (!unexpected.isEmpty()) {
            problems.add("unexpected keys " + unexpected);
        }
        for (var e : ours.entrySet()) {
            HostTensor t = stateDict.get(e.getKey());
            if (t != null && !t.djlShape().equals(e.getValue().getArray().getShape())) {
                problems.add("'" + e.getKey() + "' has shape " + t.djlShape() + ", the model needs "
                        + e.getValue().getArray().getShape());
            }
        }
        if (strict && !problems.isEmpty()) {
            throw new Get4jException(source + " does not fit the model " + describe(model.config()) + ": "
                    + String.join("; ", problems));
        }
        for (var e : ours.entrySet()) {
            HostTensor t = stateDict.get(e.getKey());
            if (t != null && t.djlShape().equals(e.getValue().getArray().getShape())) {
                Torch.assign(e.getValue().getArray(), t.toFloatArray());
            }
        }
    }

    private static String describe(ModelConfig c) {
        return c.arch().name() + " " + c.toMap();
    }

    /** The state dict of a reference torch.save checkpoint (EMA or raw weights) or of a bare state dict. */
    public static Map<String, HostTensor> readReference(Path file, Weights weights) {
        Object tree = TorchFile.load(file);
        if (!(tree instanceof Map<?, ?> root)) {
            throw new Get4jException(file + " holds a " + (tree == null ? "None" : tree.getClass().getSimpleName())
                    + ", not a checkpoint or state dict");
        }
        Object sd = root;
        if (root.containsKey("model") || root.containsKey("ema")) {
            String key = weights == Weights.EMA ? "ema" : "model";
            sd = root.get(key);
            if (sd == null) {
                throw new Get4jException(file + " has no '" + key + "' entry (keys: " + root.keySet() + ")");
            }
        }
        if (!(sd instanceof Map<?, ?> map)) {
            throw new Get4jException(file + ": the state dict is not a dict");
        }
        Map<String, HostTensor> out = new LinkedHashMap<>();
        boolean allModule = !map.isEmpty() && map.keySet().stream().allMatch(k -> k.toString().startsWith("module."));
        map.forEach((k, v) -> {
            if (!(v instanceof HostTensor t)) {
                throw new Get4jException(file + ": state-dict entry '" + k + "' is a "
                        + (v == null ? "None" : v.getClass().getSimpleName()) + ", not a tensor");
            }
            String key = k.toString();
            out.put(allModule ? key.substring("module.".length()) : key, t);
        });
        return out;
    }

    /** Writes a get4j checkpoint: the model's weights, optionally EMA weights, the config and extra metadata. */
    public static void save(Path file, Generator model, Generator ema, Map<String, String> metadata) {
        save(file, model, ema, Map.of(), metadata);
    }

    /** As {@link #save(Path, Generator, Generator, Map)}, plus extra tensors (optimizer state) under their names. */
    public static void save(Path file, Generator model, Generator ema, Map<String, HostTensor> extra,
            Map<String, String> metadata) {
        Map<String, HostTensor> tensors = new LinkedHashMap<>();
        model.stateDict().forEach((k, p) -> tensors.put("model." + k, HostTensor.of(p.getArray())));
        if (ema != null) {
            ema.stateDict().forEach((k, p) -> tensors.put("ema." + k, HostTensor.of(p.getArray())));
        }
        tensors.putAll(extra);
        Map<String, String> meta = new LinkedHashMap<>(metadata);
        meta.put("get4j.format", FORMAT);
        meta.put("get4j.version", Versions.get4j());
        try {
            meta.put("get4j.config", JSON.writeValueAsString(model.config().toMap()));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        SafeTensors.write(file, tensors, meta);
    }

    /**
     * The weights alone: a get4j checkpoint's EMA weights (its model weights when {@code weights} is MODEL or it
     * has no EMA) written as another checkpoint's {@code model.*} tensors, without the optimiser state, with the
     * source's metadata (config, step, training seconds, pairs) and {@code get4j.weights} naming what was kept. About
     * a quarter of a training checkpoint: what a shipped student is. It loads like any checkpoint, but cannot be
     * resumed.
     */
    public static void exportWeights(Path from, Path to, Weights weights) {
        if (!Files.isRegularFile(from) || !SafeTensors.looksLike(from)) {
            throw new Get4jException("checkpoint " + from + " not found or not a get4j checkpoint (safetensors)");
        }
        SafeTensors.Contents contents = SafeTensors.read(from);
        configOf(contents, from); // refuses a file that is not a get4j checkpoint
        String prefix = prefixOf(contents, weights);
        Map<String, HostTensor> kept = new LinkedHashMap<>();
        stateDict(contents, prefix).forEach((k, v) -> kept.put("model." + k, v));
        Map<String, String> meta = new LinkedHashMap<>(contents.metadata());
        meta.remove(SafeTensors.DATA_SHA256);
        meta.remove(SafeTensors.METADATA_SHA256);
        meta.remove("opt.steps");
        meta.put(EXPORTED, (prefix.equals("ema.") ? "ema" : "model") + " weights of " + from.getFileName()
                + " (training state dropped)");
        SafeTensors.write(to, kept, meta);
    }

    /** "ema." when the EMA weights are asked for and present, else "model.": the tensors a get4j checkpoint gives. */
    private static String prefixOf(SafeTensors.Contents contents, Weights weights) {
        return weights == Weights.EMA && contents.tensors().keySet().stream().anyMatch(k -> k.startsWith("ema."))
                ? "ema." : "model.";
    }

    /** The tensors under {@code prefix}, keyed without it (the reference's state-dict names). */
    private static Map<String, HostTensor> stateDict(SafeTensors.Contents contents, String prefix) {
        Map<String, HostTensor> sd = new LinkedHashMap<>();
        contents.tensors().forEach((k, v) -> {
            if (k.startsWith(prefix)) {
                sd.put(k.substring(prefix.length()), v);
            }
        });
        return sd;
    }

    /** The model config recorded in a get4j checkpoint. */
    public static ModelConfig configOf(SafeTensors.Contents contents, Path file) {
        String json = contents.metadata().get("get4j.config");
        if (json == null) {
            throw new Get4jException(file + " is a safetensors file without get4j.config metadata: not a get4j "
                    + "checkpoint");
        }
        try {
            @SuppressWarnings("unchecked")
            Map<String, Object> map = JSON.readValue(json, Map.class);
            return ModelConfig.fromMap(map);
        } catch (IOException e) {
            throw new Get4jException(file + ": unreadable get4j.config: " + JsonErrors.describe(e));
        }
    }

    /**
     * A model with a checkpoint's weights: a get4j checkpoint brings its own config (a given config must match
     * it); a reference checkpoint needs {@code config}.
     */
    public static Generator load(Path file, NDManager manager, ModelConfig config, Weights weights) {
        if (!Files.isRegularFile(file)) {
            throw new Get4jException("checkpoint " + file + " not found");
        }
        if (SafeTensors.looksLike(file)) {
            SafeTensors.Contents contents = SafeTensors.read(file);
            ModelConfig recorded = configOf(contents, file);
            if (config != null && !config.equals(recorded)) {
                throw new Get4jException(file + " holds a model " + recorded.toMap() + ", not the requested "
                        + config.toMap());
            }
            String prefix = prefixOf(contents, weights);
            Generator g = Generator.create(recorded, manager);
            loadStateDict(g, stateDict(contents, prefix), file + " (" + prefix + "*)", true);
            return g;
        }
        if (!isZip(file)) {
            throw new Get4jException(file + " is neither a get4j checkpoint (safetensors) nor a torch.save file");
        }
        if (config == null) {
            throw new Get4jException(file + " is a reference (torch.save) checkpoint, which does not record get4j's "
                    + "model config: name the model (--model NAME or the model flags)");
        }
        Generator g = Generator.create(config, manager);
        loadStateDict(g, readReference(file, weights), file.toString(), true);
        return g;
    }

    private static boolean isZip(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] head = in.readNBytes(2);
            return head.length == 2 && head[0] == 'P' && head[1] == 'K';
        } catch (IOException e) {
            return false;
        }
    }
}
