package org.get4j.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.get4j.Get4jException;
import org.junit.jupiter.api.Test;

class ModelConfigBuilderTest {
    @Test
    void thePresetsAreThePaperShapesTheyWereWrittenAsPositionally() {
        assertEquals(new ModelConfig(ModelConfig.Arch.GET, 32, 3, 2, 256, 4, 6, 3, 4, 6, 0, 1.0, false),
                Presets.get("GET-T", 0));
        assertEquals(new ModelConfig(ModelConfig.Arch.VIT, 32, 1, 4, 128, 4, 6, 0, 4, 0, 0, 1.0, false),
                Presets.get("ViT-Mini", 0));
        assertEquals(ModelConfig.get(32, 1, 4, 64, 4, 1, 1, 4, 10), Presets.get("GET-Micro", 10));
    }

    @Test
    void aRoundTripKeepsEveryFieldAndNamedChangesChangeOnlyThemselves() {
        ModelConfig c = Presets.get("GET-Mini", 10).withZ0Scale(0.5).withZ0Injection(true);
        assertEquals(c, c.toBuilder().build());
        ModelConfig wide = c.toBuilder().width(96).deqMlpRatio(6).build();
        assertEquals(new ModelConfig(ModelConfig.Arch.GET, 32, 1, 4, 96, 4, 2, 3, 4, 6, 10, 0.5, true), wide);
    }

    @Test
    void aPartlySetBuilderCanBeShared() {
        ModelConfig.Builder small = ModelConfig.builder(ModelConfig.Arch.GET).imageSize(32).channels(1).patch(4)
                .width(64).heads(4);
        ModelConfig wide = small.width(96).depth(2).build();
        ModelConfig narrow = small.depth(1).build();
        assertEquals(96, wide.width());
        assertEquals(64, narrow.width(), "a setter does not change the builder it was called on");
        assertEquals(1, narrow.depth());
    }

    @Test
    void aMissingShapeIsRefusedByName() {
        Get4jException e = assertThrows(Get4jException.class, () -> ModelConfig.builder(ModelConfig.Arch.VIT)
                .imageSize(32).channels(1).patch(4).width(64).heads(4).build());
        assertTrue(e.getMessage().contains("depth must be >= 1, got -1"), e.getMessage());
    }
}
