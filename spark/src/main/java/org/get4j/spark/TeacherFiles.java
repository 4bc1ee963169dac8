package org.get4j.spark;

import ai.djl.ndarray.NDManager;
import org.apache.hadoop.conf.Configuration;
import org.get4j.diffusion.Denoiser;
import org.get4j.diffusion.Teachers;

/** A teacher named on a cluster: gmm:mnist[:rank], a local path, or any Hadoop URI (copied locally once). */
final class TeacherFiles {
    private TeacherFiles() {}

    static Denoiser open(NDManager manager, String spec, Configuration conf) {
        if (spec.startsWith("gmm:")) {
            return Teachers.resolve(manager, spec);
        }
        return Teachers.load(manager, HadoopFiles.local(spec, conf));
    }
}
