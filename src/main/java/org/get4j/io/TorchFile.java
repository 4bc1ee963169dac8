package org.get4j.io;

import java.io.IOException;
import org.get4j.io.HostTensor;
import org.get4j.io.TensorDType;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import net.razorvine.pickle.PickleException;
import net.razorvine.pickle.Unpickler;
import net.razorvine.pickle.objects.ClassDict;
import org.get4j.Get4jException;

/**
 * Reads torch.save files (the zip format of PyTorch 1.6 and later) without Python: the pickle {@code data.pkl}
 * with Pyrolite, tensors from the storage records {@code data/<key>}. Returns plain Java values: Map (dicts,
 * OrderedDicts, argparse.Namespace), List (lists and tuples), String, Number, Boolean, null, {@link HostTensor}.
 * Any other pickled class, or a storage type not in {@link TensorDType}, is an error naming it; nothing is skipped.
 */
public final class TorchFile {
    /** Plain-object classes a checkpoint may contain; they become maps of their attributes. */
    private static final Set<String> ALLOWED_CLASSES = Set.of("torch.device");

    static {
        Unpickler.registerConstructor("collections", "OrderedDict", args -> new OrderedDict());
        Unpickler.registerConstructor("argparse", "Namespace", args -> new Namespace());
        Unpickler.registerConstructor("torch._utils", "_rebuild_tensor_v2", TorchFile::rebuildTensor);
        Unpickler.registerConstructor("torch._utils", "_rebuild_tensor", TorchFile::rebuildTensor);
        Unpickler.registerConstructor("torch._utils", "_rebuild_parameter", args -> args[0]);
        Unpickler.registerConstructor("torch._utils", "_rebuild_parameter_with_state", args -> args[0]);
        Unpickler.registerConstructor("torch", "Size", args -> args.length == 0 ? List.of() : args[0]);
        for (TensorDType t : TensorDType.values()) {
            Unpickler.registerConstructor("torch", t.storageClass(), new StorageType(t));
        }
    }

    private TorchFile() {}

    /** collections.OrderedDict; a state dict's pickled attribute {@code _metadata} (module versions) is dropped. */
    public static final class OrderedDict extends LinkedHashMap<Object, Object> {
        private static final long serialVersionUID = 1L;

        /** Called by the unpickler for BUILD (it looks the method up by the state's exact class). */
        public void __setstate__(java.util.HashMap<String, Object> state) {
            // only _metadata: nothing get4j needs
        }

        public void __setstate__(LinkedHashMap<String, Object> state) {
            // only _metadata: nothing get4j needs
        }
    }

    /** argparse.Namespace (the reference checkpoint's 'args'): a map of its attributes. */
    public static final class Namespace extends LinkedHashMap<Object, Object> {
        private static final long serialVersionUID = 1L;

        public void __setstate__(java.util.HashMap<String, Object> state) {
            putAll(state);
        }

        public void __setstate__(LinkedHashMap<String, Object> state) {
            putAll(state);
        }
    }

    /** A storage class such as torch.FloatStorage, as the pickle references it (never instantiated). */
    private record StorageType(TensorDType dtype) implements net.razorvine.pickle.IObjectConstructor {
        @Override
        public Object construct(Object[] args) {
            return this;
        }
    }

    /** A storage named in the pickle: its element type and record key, read from the zip on demand. */
    private record StorageRef(TensorDType dtype, String key, long numel, Loader loader) {}

    /** Reads storage records of the open archive. */
    private interface Loader {
        byte[] read(String key, long bytes);
    }

    /**
     * Checks every record of a zip archive against its CRC-32: libtorch loads a TorchScript file with a flipped
     * byte without complaint (issue 18: a damaged teacher generated wrong pairs), so get4j checks it first.
     */
    public static void verifyArchive(Path file) {
        try (ZipFile zip = new ZipFile(file.toFile())) {
            for (Enumeration<? extends ZipEntry> en = zip.entries(); en.hasMoreElements(); ) {
                ZipEntry entry = en.nextElement();
                if (!entry.isDirectory()) {
                    verified(zip, entry, file);
                }
            }
        } catch (ZipException e) {
            throw new Get4jException(file + " is not a TorchScript (zip) archive: " + e.getMessage());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /** The whole object tree of a torch.save file. */
    public static Object load(Path file) {
        ZipFile zip;
        try {
            zip = new ZipFile(file.toFile());
        } catch (ZipException e) {
            throw new Get4jException(file + " is not a torch.save zip archive (" + e.getMessage()
                    + "); files from torch < 1.6 or saved with _use_new_zipfile_serialization=False are not supported");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
        try (zip) {
            String prefix = null;
            for (Enumeration<? extends ZipEntry> en = zip.entries(); en.hasMoreElements(); ) {
                String name = en.nextElement().getName();
                if (name.endsWith("data.pkl") && name.indexOf('/') == name.length() - "data.pkl".length() - 1) {
                    prefix = name.substring(0, name.length() - "data.pkl".length());
                    break;
                }
            }
            if (prefix == null) {
                throw new Get4jException(file + " is a zip archive without <name>/data.pkl: not a torch.save file");
            }
            String root = prefix;
            Map<String, byte[]> cache = new HashMap<>();
            Loader loader = (key, bytes) -> cache.computeIfAbsent(key, k -> readRecord(zip, file, root + "data/" + k, bytes));
            Object tree;
            try (InputStream in = new java.io.ByteArrayInputStream(verified(zip, zip.getEntry(prefix + "data.pkl"),
                    file))) {
                tree = new StorageUnpickler(loader).load(in);
            } catch (PickleException | IllegalArgumentException | ClassCastException e) {
                throw new Get4jException(file + ": cannot unpickle data.pkl: " + e.getMessage(), e);
            }
            return normalise(tree, file, "");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    private static byte[] readRecord(ZipFile zip, Path file, String name, long bytes) {
        ZipEntry entry = zip.getEntry(name);
        if (entry == null) {
            throw new Get4jException(file + ": storage record " + name + " is missing");
        }
        try {
            byte[] data = verified(zip, entry, file);
            if (data.length < bytes) {
                throw new Get4jException(file + ": storage record " + name + " holds " + data.length
                        + " bytes, the pickle needs " + bytes + " (truncated?)");
            }
            return data;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + name + " of " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * An entry's bytes, checked against the CRC-32 the archive records for it. Java's ZipFile does not check it for
     * stored (uncompressed) entries, which is how torch.save writes tensors: a flipped byte in a weight file would
     * otherwise load as a wrong weight (issue 18: all-NaN images with exit code 0).
     */
    private static byte[] verified(ZipFile zip, ZipEntry entry, Path file) throws IOException {
        byte[] data;
        try (InputStream in = zip.getInputStream(entry)) {
            data = in.readAllBytes();
        }
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(data);
        if (entry.getCrc() != -1 && crc.getValue() != entry.getCrc()) {
            throw new Get4jException(file + ": record " + entry.getName() + " fails its CRC-32 check (the file is "
                    + "damaged: download or copy it again)");
        }
        return data;
    }

    /** The unpickler that turns persistent ids ('storage', type, key, location, numel) into storage references. */
    private static final class StorageUnpickler extends Unpickler {
        private final Loader loader;

        StorageUnpickler(Loader loader) {
            this.loader = loader;
        }

        /**
         * Three opcodes handled here rather than by Pyrolite: dicts keep Python's insertion order (EMPTY_DICT,
         * SETITEMS), and a class reference (GLOBAL, STACK_GLOBAL) that get4j does not know is refused by name
         * instead of becoming a generic object.
         */
        @Override
        protected Object dispatch(short key) throws PickleException, IOException {
            switch (key) {
                case net.razorvine.pickle.Opcodes.EMPTY_DICT -> stack.add(new LinkedHashMap<>());
                case net.razorvine.pickle.Opcodes.SETITEMS -> {
                    List<Object> items = stack.pop_all_since_marker(); // k1, v1, k2, v2, ... in pickled order
                    @SuppressWarnings("unchecked")
                    Map<Object, Object> dict = (Map<Object, Object>) stack.pop();
                    for (int i = 0; i + 1 < items.size(); i += 2) {
                        dict.put(items.get(i), items.get(i + 1));
                    }
                    stack.add(dict);
                }
                case net.razorvine.pickle.Opcodes.GLOBAL -> pushClass(net.razorvine.pickle.PickleUtils.readline(input),
                        net.razorvine.pickle.PickleUtils.readline(input));
                case net.razorvine.pickle.Opcodes.STACK_GLOBAL -> {
                    String name = (String) stack.pop();
                    pushClass((String) stack.pop(), name);
                }
                default -> {
                    return super.dispatch(key);
                }
            }
            return NO_RETURN_VALUE;
        }

        private void pushClass(String module, String name) {
            var constructor = objectConstructors.get(module + "." + name);
            if (constructor == null) {
                throw new PickleException("unsupported pickled class " + module + "." + name + " (get4j reads "
                        + "tensors, dicts, lists, numbers, strings and argparse.Namespace)");
            }
            stack.add(constructor);
        }

        @Override
        protected Object persistentLoad(Object pid) {
            Object[] t = pid instanceof Object[] a ? a : pid instanceof List<?> l ? l.toArray() : null;
            if (t == null || t.length < 5 || !"storage".equals(t[0])) {
                throw new PickleException("unsupported persistent id " + Arrays.deepToString(t));
            }
            if (!(t[1] instanceof StorageType type)) {
                throw new PickleException("unsupported storage type " + t[1] + " (supported: "
                        + Arrays.stream(TensorDType.values()).map(TensorDType::storageClass).toList() + ")");
            }
            return new StorageRef(type.dtype(), t[2].toString(), ((Number) t[4]).longValue(), loader);
        }
    }

    /** torch._utils._rebuild_tensor_v2(storage, offset, size, stride, requires_grad, hooks[, metadata]). */
    private static Object rebuildTensor(Object[] args) {
        if (!(args[0] instanceof StorageRef storage)) {
            throw new PickleException("tensor without a storage: " + args[0]);
        }
        long offset = ((Number) args[1]).longValue();
        long[] size = longs(args[2]);
        long[] stride = longs(args[3]);
        int bytes = storage.dtype().bytes();
        byte[] raw = storage.loader().read(storage.key(), storage.numel() * bytes);
        long n = 1;
        for (long d : size) {
            n *= d;
        }
        byte[] out = new byte[Math.toIntExact(n * bytes)];
        long[] index = new long[size.length];
        for (long i = 0; i < n; i++) {
            long src = offset;
            for (int d = 0; d < size.length; d++) {
                src += index[d] * stride[d];
            }
            if (src < 0 || src >= storage.numel()) {
                throw new PickleException("tensor element outside its storage (offset " + offset + ", stride "
                        + Arrays.toString(stride) + ")");
            }
            System.arraycopy(raw, Math.toIntExact(src * bytes), out, Math.toIntExact(i * bytes), bytes);
            for (int d = size.length - 1; d >= 0; d--) {
                if (++index[d] < size[d]) {
                    break;
                }
                index[d] = 0;
            }
        }
        return new HostTensor(storage.dtype(), size, out);
    }

    private static long[] longs(Object o) {
        Object[] a = o instanceof Object[] arr ? arr : ((List<?>) o).toArray();
        long[] out = new long[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = ((Number) a[i]).longValue();
        }
        return out;
    }

    /** Tuples to lists, namespaces to maps; unknown classes are an error naming their path in the tree. */
    private static Object normalise(Object o, Path file, String path) {
        if (o instanceof ClassDict cd) {
            if (!ALLOWED_CLASSES.contains(cd.getClassName())) {
                throw new Get4jException(file + ": unsupported pickled class " + cd.getClassName()
                        + (path.isEmpty() ? "" : " at " + path) + " (get4j reads tensors, dicts, lists, numbers, "
                        + "strings and argparse.Namespace)");
            }
            Map<String, Object> m = new LinkedHashMap<>();
            cd.forEach((k, v) -> {
                if (!k.equals("__class__")) {
                    m.put(k, normalise(v, file, path + "." + k));
                }
            });
            return m;
        }
        if (o instanceof Map<?, ?> map) {
            Map<Object, Object> m = new LinkedHashMap<>();
            map.forEach((k, v) -> m.put(k, normalise(v, file, path + "[" + k + "]")));
            return m;
        }
        if (o instanceof Object[] arr) {
            List<Object> l = new ArrayList<>(arr.length);
            for (int i = 0; i < arr.length; i++) {
                l.add(normalise(arr[i], file, path + "[" + i + "]"));
            }
            return l;
        }
        if (o instanceof List<?> list) {
            List<Object> l = new ArrayList<>(list.size());
            for (int i = 0; i < list.size(); i++) {
                l.add(normalise(list.get(i), file, path + "[" + i + "]"));
            }
            return l;
        }
        if (o instanceof StorageRef) {
            throw new Get4jException(file + ": a bare storage at " + path + " is not supported");
        }
        return o;
    }
}
