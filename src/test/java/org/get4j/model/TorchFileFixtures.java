package org.get4j.model;

import java.nio.file.Path;

/** Paths of the PyTorch-made fixtures under src/test/resources/fixtures/torch. */
final class TorchFileFixtures {
    private TorchFileFixtures() {}

    static Path path(String name) {
        try {
            return Path.of(TorchFileFixtures.class.getResource("/fixtures/torch/" + name).toURI());
        } catch (Exception e) {
            throw new IllegalStateException("fixture " + name + " missing", e);
        }
    }
}
