//! One `finess import FILE...` run. First every file is sniffed (a file that is not a FINESS
//! extract is refused before anything is written); then all of them are streamed, in order,
//! into one store transaction that replaces the previous directory when it commits. A gzipped
//! file (the FINESS+ JSON is published as `.json.gz`) is read through a streaming decoder.
//! `finess update` imports through the same function (`import_with`), adding where the files
//! came from and a floor on how many structures the new directory must hold.

use std::cell::Cell;
use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressStyle};
use serde::Serialize;

use super::csv_import;
use super::entity::{Entity, EntityKind, Skipped};
use super::json_import;
pub use super::sink::{FileFormat, ImportError, Sink};
use super::store::{DirectoryInfo, SourceStamp, Writer};
use crate::text::finess as msg;

/// How many skipped lines the summary lists (all are counted).
pub const MAX_SKIPPED_LISTED: usize = 200;

/// How many bytes of a file are looked at to tell its format.
const SNIFF_BYTES: u64 = 64 * 1024;

/// The two bytes a gzip stream starts with (RFC 1952 §2.3.1).
const GZIP_MAGIC: [u8; 2] = [0x1F, 0x8B];

/// Whether the file at `path` is gzipped.
fn is_gzip(path: &Path) -> std::io::Result<bool> {
    let mut magic = [0u8; 2];
    let mut file = File::open(path)?;
    let mut read = 0;
    while read < 2 {
        let n = file.read(&mut magic[read..])?;
        if n == 0 {
            return Ok(false);
        }
        read += n;
    }
    Ok(magic == GZIP_MAGIC)
}

/// A reader that counts the bytes it hands out (the compressed bytes of a gzipped file, for
/// the progress bar).
struct Counting<R> {
    inner: R,
    bytes: Rc<Cell<u64>>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.bytes.set(self.bytes.get() + n as u64);
        Ok(n)
    }
}

/// What an importer reads, and how many bytes of the file that took when it is gzipped.
type Content = (Box<dyn BufRead>, Option<Rc<Cell<u64>>>);

/// The file's content, decompressed when it is gzipped; with the count of bytes read from
/// the file itself when that differs from what the readers see.
fn open_content(path: &Path, name: &str) -> Result<Content, ImportError> {
    let io = |e| ImportError::Io(name.to_string(), e);
    let gzip = is_gzip(path).map_err(io)?;
    let file = File::open(path).map_err(io)?;
    if !gzip {
        return Ok((Box::new(BufReader::with_capacity(256 * 1024, file)), None));
    }
    let bytes = Rc::new(Cell::new(0));
    let counting = Counting {
        inner: BufReader::with_capacity(256 * 1024, file),
        bytes: Rc::clone(&bytes),
    };
    let decoder = flate2::read::MultiGzDecoder::new(counting);
    Ok((
        Box::new(BufReader::with_capacity(256 * 1024, decoder)),
        Some(bytes),
    ))
}

/// Tells a FINESS extract's format from its first bytes (decompressed, for a gzipped file),
/// or refuses the file.
pub fn detect(path: &Path) -> Result<FileFormat, ImportError> {
    let name = path.display().to_string();
    let (content, _) = open_content(path, &name)?;
    let mut head = Vec::new();
    // A gzipped file that is not gzip after all reads as an error: not an extract.
    if let Err(e) = content.take(SNIFF_BYTES).read_to_end(&mut head) {
        if head.is_empty() {
            return Err(ImportError::NotFiness(name, e.to_string()));
        }
    }
    detect_bytes(&head).ok_or_else(|| ImportError::NotFiness(name, msg::NOT_EXTRACT.to_string()))
}

/// The format of a file from its first bytes; `None` when it is not a FINESS extract.
pub fn detect_bytes(head: &[u8]) -> Option<FileFormat> {
    let body = head.strip_prefix(super::decode::UTF8_BOM).unwrap_or(head);
    let start = body.iter().position(|b| !b.is_ascii_whitespace())?;
    if body[start] == b'{' {
        let markers: [&[u8]; 4] = [b"\"pmej\"", b"\"schemaVersion\"", b"\"gcc\"", b"\"gco\""];
        let found = markers
            .iter()
            .any(|m| body.windows(m.len()).any(|w| w == *m));
        return found.then_some(FileFormat::Json);
    }
    let line_end = body.iter().position(|&b| b == b'\n').unwrap_or(body.len());
    csv_import::manifest(&body[..line_end]).map(|_| FileFormat::Csv)
}

/// What an import did.
#[derive(Debug, Clone, Serialize)]
pub struct ImportSummary {
    pub ej: u64,
    pub eg: u64,
    /// Lines of sections that are read but not kept (`geolocalisation`).
    pub other_lines: u64,
    pub skipped_count: u64,
    /// The first [`MAX_SKIPPED_LISTED`] skipped lines.
    pub skipped: Vec<Skipped>,
    pub data_date: Option<String>,
    pub files: Vec<String>,
    pub seconds: f64,
}

/// The progress bar: on a terminal only.
struct Progress {
    bar: Option<ProgressBar>,
    base: u64,
    started: Instant,
    last: Instant,
}

impl Progress {
    fn new(show: bool, total: u64) -> Progress {
        let bar = show.then(|| {
            let bar = ProgressBar::new(total);
            if let Ok(style) = ProgressStyle::with_template(msg::PROGRESS_TEMPLATE) {
                bar.set_style(style.progress_chars("=> "));
            }
            bar
        });
        let now = Instant::now();
        Progress {
            bar,
            base: 0,
            started: now,
            last: now,
        }
    }

    fn update(&mut self, bytes: u64, ej: u64, eg: u64, skipped: u64) {
        let Some(bar) = &self.bar else { return };
        let now = Instant::now();
        if now.duration_since(self.last) < Duration::from_millis(100) {
            return;
        }
        self.last = now;
        let secs = now.duration_since(self.started).as_secs_f64().max(1e-3);
        let rate = (ej + eg) as f64 / secs;
        bar.set_position(self.base + bytes);
        bar.set_message(msg::progress(ej, eg, skipped, rate));
    }
}

impl Drop for Progress {
    /// The bar never outlives the import, whether it succeeded or not.
    fn drop(&mut self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

struct Run {
    writer: Writer,
    file: String,
    format: FileFormat,
    ej: u64,
    eg: u64,
    other_lines: u64,
    skipped_count: u64,
    skipped: Vec<Skipped>,
    data_date: Option<String>,
    progress: Progress,
    /// Bytes read from the current file when it is gzipped (the readers count decompressed
    /// bytes; the bar counts the file's).
    compressed: Option<Rc<Cell<u64>>>,
}

impl Sink for Run {
    fn data_date(&mut self, date: Option<&str>) {
        // Several files: the directory is as old as its oldest part.
        if let Some(d) = date {
            if self.data_date.as_deref().is_none_or(|old| d < old) {
                self.data_date = Some(d.to_string());
            }
        }
    }

    fn entity(&mut self, entity: Entity, at: u64) -> Result<(), ImportError> {
        if self.writer.insert(&entity)? {
            match entity.kind {
                Some(EntityKind::Ej) => self.ej += 1,
                _ => self.eg += 1,
            }
        } else {
            self.skipped(at, msg::duplicate(&entity.finess));
        }
        Ok(())
    }

    fn other_line(&mut self) {
        self.other_lines += 1;
    }

    fn skipped(&mut self, at: u64, reason: String) {
        self.skipped_count += 1;
        if self.skipped.len() < MAX_SKIPPED_LISTED {
            self.skipped.push(Skipped {
                file: self.file.clone(),
                at,
                location: msg::location(self.format, at),
                reason,
            });
        }
    }

    fn progress(&mut self, bytes: u64) {
        let (ej, eg, sk) = (self.ej, self.eg, self.skipped_count);
        let bytes = self.compressed.as_ref().map_or(bytes, |c| c.get());
        self.progress.update(bytes, ej, eg, sk);
    }
}

/// How an import is run beyond its files.
#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    /// Draw the progress bar (callers pass "stderr is a terminal").
    pub show_progress: bool,
    /// Refuse the new directory when it holds fewer structures (EJ + EG) than this (an
    /// update that would shrink the directory is a partial file).
    pub min_entities: u64,
    /// Where the files came from (`finess update`), kept with the directory.
    pub sources: Vec<SourceStamp>,
}

/// Imports `files` together as the new directory at `db`. `show_progress`: draw the progress
/// bar (callers pass "stderr is a terminal").
pub fn import(
    files: &[PathBuf],
    db: &Path,
    show_progress: bool,
) -> Result<ImportSummary, ImportError> {
    import_with(
        files,
        db,
        &ImportOptions {
            show_progress,
            ..ImportOptions::default()
        },
    )
}

/// `import`, with the options of an update.
pub fn import_with(
    files: &[PathBuf],
    db: &Path,
    options: &ImportOptions,
) -> Result<ImportSummary, ImportError> {
    let show_progress = options.show_progress;
    let started = Instant::now();
    if files.is_empty() {
        return Err(ImportError::NoFile);
    }
    // Every file is checked before anything is written.
    let mut formats = Vec::with_capacity(files.len());
    let mut total = 0;
    for f in files {
        formats.push(detect(f)?);
        total += std::fs::metadata(f).map(|m| m.len()).unwrap_or(0);
    }
    let writer = Writer::begin(db).map_err(|e| ImportError::Io(db.display().to_string(), e))?;
    let mut run = Run {
        writer,
        file: String::new(),
        format: FileFormat::Csv,
        ej: 0,
        eg: 0,
        other_lines: 0,
        skipped_count: 0,
        skipped: Vec::new(),
        data_date: None,
        progress: Progress::new(show_progress, total),
        compressed: None,
    };
    let mut names = Vec::with_capacity(files.len());
    for (path, format) in files.iter().zip(formats) {
        let name = path.file_name().map_or_else(
            || path.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        );
        run.file = name.clone();
        run.format = format;
        let size = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
        let (input, compressed) = open_content(path, &name)?;
        run.compressed = compressed;
        match format {
            FileFormat::Csv => csv_import::read(&name, input, &mut run)?,
            FileFormat::Json => json_import::read(&name, input, &mut run)?,
        }
        run.progress.base += size;
        names.push(name);
    }
    if run.ej + run.eg == 0 {
        return Err(ImportError::NothingRead);
    }
    if run.ej + run.eg < options.min_entities {
        return Err(ImportError::TooFew(run.ej + run.eg, options.min_entities));
    }
    if let Some(bar) = &run.progress.bar {
        bar.finish_and_clear();
    }
    let info = DirectoryInfo {
        data_date: run.data_date.clone(),
        imported_at: now_rfc3339(),
        files: names.clone(),
        ej_count: run.ej,
        eg_count: run.eg,
    };
    let Run {
        writer,
        ej,
        eg,
        other_lines,
        skipped_count,
        skipped,
        data_date,
        ..
    } = run;
    writer.commit(&info, &options.sources)?;
    Ok(ImportSummary {
        ej,
        eg,
        other_lines,
        skipped_count,
        skipped,
        data_date,
        files: names,
        seconds: started.elapsed().as_secs_f64(),
    })
}

fn now_rfc3339() -> String {
    let now = time::OffsetDateTime::now_utc();
    now.replace_nanosecond(0)
        .unwrap_or(now)
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_from_first_bytes() {
        assert_eq!(
            detect_bytes(b"finess;etalab;111;2026-05-12\nstructureet;"),
            Some(FileFormat::Csv)
        );
        assert_eq!(
            detect_bytes(b"\xEF\xBB\xBFfiness;etalab;1;2026-05-12\r\n"),
            Some(FileFormat::Csv)
        );
        assert_eq!(
            detect_bytes(b"\xEF\xBB\xBF \n{\"schemaVersion\" : \"v1.0.0\", \"gcc\": ["),
            Some(FileFormat::Json)
        );
        assert_eq!(detect_bytes(b"{\"records\": []}"), None);
        assert_eq!(detect_bytes(b"nofinesset;rs\n"), None);
        assert_eq!(detect_bytes(b""), None);
        assert_eq!(detect_bytes(b"\x00\x01\x02"), None);
    }
}
