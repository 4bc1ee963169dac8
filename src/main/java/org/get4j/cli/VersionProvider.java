package org.get4j.cli;

import org.get4j.runtime.Versions;
import picocli.CommandLine;

/** {@code get4j --version}. */
final class VersionProvider implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
        return new String[] {"get4j " + Versions.get4j() + " (DJL " + Versions.djl() + ", PyTorch "
                + Versions.pytorch() + ", Java " + Versions.java() + ")"};
    }
}
