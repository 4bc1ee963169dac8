package org.get4j.kernel;

import java.util.ArrayList;
import java.util.List;
import jdk.jshell.SourceCodeAnalysis;
import jdk.jshell.SourceCodeAnalysis.Completeness;

/**
 * A cell cut into the snippets JShell evaluates one at a time (a declaration, a statement, an expression), each with
 * where its text lies in the cell, so that an error points at the cell's own line.
 */
final class CellSource {

    /** One snippet: the source JShell evaluates, and the cell text {@code [start, end)} it came from. */
    record Piece(String source, int start, int end, boolean complete) {
        /** The cell text of this piece. */
        String text(String cell) {
            return cell.substring(start, end);
        }

        /** Whether the cell's text of this piece ends with a semicolon: IPython's rule, a final "x;" shows nothing. */
        boolean endsWithSemicolon(String cell) {
            return text(cell).strip().endsWith(";");
        }
    }

    private CellSource() {
    }

    /** Cuts {@code cell}; an incomplete tail (an unclosed brace, say) becomes one last piece, not complete. */
    static List<Piece> split(SourceCodeAnalysis analysis, String cell) {
        List<Piece> pieces = new ArrayList<>();
        int offset = 0;
        String rest = cell;
        while (!rest.isBlank()) {
            SourceCodeAnalysis.CompletionInfo info = analysis.analyzeCompletion(rest);
            Completeness c = info.completeness();
            if (c == Completeness.EMPTY) {
                break;
            }
            if (!c.isComplete()) {
                pieces.add(new Piece(rest, offset, cell.length(), false));
                break;
            }
            int consumed = rest.length() - info.remaining().length();
            if (consumed <= 0) { // JShell consumed nothing: the rest is one piece (never loop on it)
                pieces.add(new Piece(rest, offset, cell.length(), false));
                break;
            }
            pieces.add(new Piece(info.source(), offset, offset + consumed, true));
            offset += consumed;
            rest = info.remaining();
        }
        return pieces;
    }

    /** Where the snippet holding {@code cursor} begins in the cell (completion and inspection work on it alone). */
    static int pieceStart(SourceCodeAnalysis analysis, String cell, int cursor) {
        int start = 0;
        for (Piece piece : split(analysis, cell)) {
            if (piece.start() <= cursor) {
                start = piece.start();
            }
        }
        return start;
    }

    /** The 1-based line of {@code cell} that holds character {@code index}. */
    static int lineOf(String cell, int index) {
        int line = 1;
        for (int i = 0; i < Math.min(index, cell.length()); i++) {
            if (cell.charAt(i) == '\n') {
                line++;
            }
        }
        return line;
    }

    /** The cell offset where the snippet source of {@code piece} begins (JShell drops leading blanks and comments). */
    static int sourceStart(String cell, Piece piece) {
        String head = piece.source().strip();
        if (head.endsWith(";")) {
            head = head.substring(0, head.length() - 1);
        }
        head = head.substring(0, Math.min(head.length(), 40));
        int at = head.isEmpty() ? -1 : cell.indexOf(head, piece.start());
        return at >= 0 ? at : piece.start();
    }
}
