package org.get4j.kernel;

import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import jdk.jshell.execution.LoaderDelegate;
import jdk.jshell.spi.ExecutionControl.ClassBytecodes;
import jdk.jshell.spi.ExecutionControl.ClassInstallException;
import jdk.jshell.spi.ExecutionControl.InternalException;

/**
 * Where cell code's classes come from, inside the kernel's JVM: the classes JShell compiles from cells, over the
 * notebook's classpath (a URL class loader that grows with {@link #addToClasspath}), over the kernel's own class loader
 * (the JDK and JJava's notebook statics such as {@code display}). Parent-first throughout, so a class exists once.
 */
final class SnippetLoader implements LoaderDelegate {

    /** The notebook's jars. */
    static final class NotebookLoader extends URLClassLoader {
        static {
            registerAsParallelCapable();
        }

        NotebookLoader(ClassLoader parent) {
            super("notebook", new URL[0], parent);
        }

        void add(URL url) {
            addURL(url);
        }
    }

    /** Cell classes, defined from the bytecode JShell hands over. */
    static final class CellLoader extends ClassLoader {
        private final Map<String, byte[]> bytecode = new ConcurrentHashMap<>();

        CellLoader(ClassLoader parent) {
            super("cells", parent);
        }

        void declare(String name, byte[] bytes) {
            bytecode.put(name, bytes);
        }

        @Override
        protected Class<?> findClass(String name) throws ClassNotFoundException {
            byte[] bytes = bytecode.remove(name); // defined once; a redefinition declares new bytes
            if (bytes == null) {
                throw new ClassNotFoundException(name);
            }
            return defineClass(name, bytes, 0, bytes.length);
        }
    }

    private final NotebookLoader notebook;
    private final CellLoader cells;

    SnippetLoader(ClassLoader parent) {
        this.notebook = new NotebookLoader(parent);
        this.cells = new CellLoader(notebook);
    }

    /** The loader cell code runs under (also its threads' context class loader, which ServiceLoader users need). */
    ClassLoader classLoader() {
        return cells;
    }

    @Override
    public void load(ClassBytecodes[] classes) throws ClassInstallException {
        boolean[] installed = new boolean[classes.length];
        for (ClassBytecodes c : classes) {
            cells.declare(c.name(), c.bytecodes());
        }
        for (int i = 0; i < classes.length; i++) {
            try {
                Class.forName(classes[i].name(), false, cells);
                installed[i] = true;
            } catch (ClassNotFoundException | LinkageError e) {
                throw new ClassInstallException("cannot load " + classes[i].name() + ": " + e, installed);
            }
        }
    }

    @Override
    public void classesRedefined(ClassBytecodes[] classes) {
        for (ClassBytecodes c : classes) {
            cells.declare(c.name(), c.bytecodes());
        }
    }

    @Override
    public void addToClasspath(String path) throws InternalException {
        for (String entry : path.split(java.io.File.pathSeparator)) {
            if (entry.isEmpty()) {
                continue;
            }
            try {
                notebook.add(Path.of(entry).toUri().toURL());
            } catch (MalformedURLException e) {
                throw new InternalException("bad classpath entry " + entry + ": " + e.getMessage());
            }
        }
    }

    @Override
    public Class<?> findClass(String name) throws ClassNotFoundException {
        return Class.forName(name, false, cells);
    }
}
