package org.get4j.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.get4j.Get4jException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageFoldersTest {
    @TempDir
    Path dir;

    private void png(String name, int size, int grey) throws IOException {
        BufferedImage img = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB); // grey as r = g = b
        img.setRGB(1, 0, grey << 16 | grey << 8 | grey);
        ImageIO.write(img, "png", dir.resolve(name).toFile());
    }

    @Test
    void pngsAreReadInNameOrderAsGreyPixels() throws IOException {
        png("b.png", 4, 200);
        png("a.png", 4, 7);
        Files.writeString(dir.resolve("notes.txt"), "not an image");
        ImageSet set = ImageFolders.read(dir);
        assertEquals(2, set.size());
        assertEquals(4, set.height());
        byte[] first = set.pixels(0, 1);
        byte[] second = set.pixels(1, 2);
        assertEquals(7, first[1] & 0xff, "a.png first");
        assertEquals(200, second[1] & 0xff);
        assertArrayEquals(new byte[16 - 2], java.util.Arrays.copyOfRange(first, 2, 16));
    }

    @Test
    void anEmptyFolderOrMixedSizesAreRefusedByName() throws IOException {
        Get4jException empty = assertThrows(Get4jException.class, () -> ImageFolders.read(dir));
        assertTrue(empty.getMessage().contains("holds no .png files"), empty.getMessage());
        png("a.png", 4, 1);
        png("b.png", 8, 1);
        Get4jException mixed = assertThrows(Get4jException.class, () -> ImageFolders.read(dir));
        assertTrue(mixed.getMessage().contains("b.png") && mixed.getMessage().contains("same size"),
                mixed.getMessage());
    }
}
