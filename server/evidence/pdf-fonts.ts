/**
 * The fonts report.pdf embeds. Vietnamese needs a font with its precomposed letters (ầ, ộ, ữ …), which the
 * standard PDF fonts lack, so DejaVu Sans (Debian's fonts-dejavu-core) is read from disk. The folder can be
 * moved with COMMUNEWATCH_PDF_FONT_DIR or the bundle builder's `fontDir`.
 *
 * A missing font is an operator's problem, not a bug: it is reported as PdfFontMissing, naming the file tried
 * and the fix, so the API can answer 503 with that message and the CLI print it, never a bare 500 nor a PDF
 * of empty boxes.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Where Debian's fonts-dejavu-core puts DejaVu Sans. */
export const DEFAULT_FONT_DIR = '/usr/share/fonts/truetype/dejavu';
/** The environment variable that moves the font folder. */
export const FONT_DIR_ENV = 'COMMUNEWATCH_PDF_FONT_DIR';
const REGULAR = 'DejaVuSans.ttf';
const BOLD = 'DejaVuSans-Bold.ttf';

/** The two font files report.pdf embeds, as read. */
export interface PdfFonts {
  regular: Buffer;
  bold: Buffer;
}

/** A font file report.pdf needs is not there; the message says which file and how to get it. */
export class PdfFontMissing extends Error {
  /** The install or configuration step that fixes it, for logs and operators. */
  readonly fix: string;

  constructor(readonly path: string) {
    const fix = `install Debian's fonts-dejavu-core (apt-get install fonts-dejavu-core) or set ${FONT_DIR_ENV} to a folder holding ${REGULAR} and ${BOLD}`;
    super(`the PDF font ${path} is missing: ${fix}`);
    this.name = 'PdfFontMissing';
    this.fix = fix;
  }
}

/** The font folder: the option, else COMMUNEWATCH_PDF_FONT_DIR, else Debian's. */
export function pdfFontDir(option?: string): string {
  return option ?? process.env[FONT_DIR_ENV] ?? DEFAULT_FONT_DIR;
}

/** Reads DejaVu Sans and DejaVu Sans Bold from `dir`; throws PdfFontMissing naming the first file absent. */
export function loadPdfFonts(dir: string): PdfFonts {
  for (const f of [REGULAR, BOLD]) {
    const path = join(dir, f);
    if (!existsSync(path)) throw new PdfFontMissing(path);
  }
  return { regular: readFileSync(join(dir, REGULAR)), bold: readFileSync(join(dir, BOLD)) };
}
