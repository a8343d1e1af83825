package org.apache.iceberg.rest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.iceberg.ContentFile;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.DeleteFile;
import org.apache.iceberg.FileContent;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.RewriteFiles;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.StructLike;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.exceptions.NoSuchTableException;
import org.apache.iceberg.data.GenericDeleteFilter;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.data.parquet.GenericParquetReaders;
import org.apache.iceberg.data.parquet.GenericParquetWriter;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.io.DataWriter;
import org.apache.iceberg.io.DeleteSchemaUtil;
import org.apache.iceberg.deletes.PositionDelete;
import org.apache.iceberg.deletes.PositionDeleteWriter;
import org.apache.iceberg.parquet.Parquet;
import org.apache.iceberg.types.Types;

/**
 * What Amazon S3 Tables' maintenance and Iceberg's own Java writers do, which DuckDB 1.5.5 does
 * not: run right after each commit, on the tables it changed.
 *
 * <ul>
 *   <li><b>Compaction of the small tables</b> (the unpartitioned ones: locations, the files ledger,
 *       rejects, runs): once a table has more than maxDeleteFiles position-delete files or more
 *       than maxSmallFiles small data files, its small files and those with deletes are rewritten
 *       as one, deletes applied, and the delete files dropped. DuckDB writes a delete file per data
 *       file a DELETE or MERGE touches (locations' MERGE: every commit) and reads every data and
 *       delete file of such a table on each query. At most compactBytes of data files at once.
 *   <li><b>Delete files merged</b> in the partitioned tables (measurements, whose data files are
 *       too large to rewrite here): once there are more than maxDeleteFiles position-delete files,
 *       each partition's are merged into one (DuckDB reads every delete file of the table on each
 *       query, whatever partition it asks for).
 *   <li><b>Manifest merge</b>: once a table has more than maxDataManifests data manifests they are
 *       merged (DuckDB writes one per commit and reads all of them on each query), as Java writers
 *       do on every append (commit.manifest-merge.enabled).
 * </ul>
 *
 * <p>Inside the request and under the catalog's change lock, so no writer commits in between: a
 * writer's next commit starts from the maintained snapshot instead of meeting a conflict. Neither
 * changes the rows ("replace" snapshots).
 */
final class TableMaintenance {
  private static final ObjectMapper JSON = new ObjectMapper();
  /** POST .../namespaces/{namespace}/tables/{table}: one table's commit. */
  private static final Pattern UPDATE_TABLE =
      Pattern.compile(".*/v1/(?:.+/)?namespaces/([^/]+)/tables/([^/]+)$");
  /** The namespace levels' separator in a URL path (the unit separator, percent-encoded). */
  private static final String LEVEL_SEPARATOR = "\u001f";

  /** The limits, from the catalog properties maintenance.* (0 turns a step off). */
  record Limits(
      int maxDataManifests,
      int maxDeleteFiles,
      int maxSmallFiles,
      long smallFileBytes,
      long compactBytes) {}

  private final Catalog catalog;
  private final Limits limits;

  TableMaintenance(Catalog catalog, Limits limits) {
    this.catalog = catalog;
    this.limits = limits;
  }

  boolean enabled() {
    return limits.maxDataManifests() > 0
        || limits.maxDeleteFiles() > 0
        || limits.compactBytes() > 0;
  }

  /** The tables a commit request changed: from its path, or its body for a transaction. */
  private static Set<TableIdentifier> committedTables(String path, byte[] body) throws IOException {
    Set<TableIdentifier> tables = new LinkedHashSet<>();
    if (path.endsWith("/transactions/commit")) {
      for (JsonNode change : JSON.readTree(body).path("table-changes")) {
        tables.add(identifier(change.path("identifier")));
      }
      return tables;
    }
    Matcher matcher = UPDATE_TABLE.matcher(path);
    if (matcher.matches()) {
      String namespace = URLDecoder.decode(matcher.group(1), StandardCharsets.UTF_8);
      String table = URLDecoder.decode(matcher.group(2), StandardCharsets.UTF_8);
      tables.add(TableIdentifier.of(Namespace.of(namespace.split(LEVEL_SEPARATOR)), table));
    }
    return tables;
  }

  private static TableIdentifier identifier(JsonNode node) {
    List<String> levels = new ArrayList<>();
    node.path("namespace").forEach(level -> levels.add(level.asText()));
    return TableIdentifier.of(
        Namespace.of(levels.toArray(new String[0])), node.path("name").asText());
  }

  /**
   * Maintains each table a successful commit request (`path`, `body`) changed; never throws: the
   * commit itself has landed, so its answer stays a success.
   */
  void afterCommit(String path, byte[] body) {
    Set<TableIdentifier> tables;
    try {
      tables = committedTables(path, body);
    } catch (IOException | RuntimeException e) {
      System.err.println("table maintenance: cannot tell which tables " + path + " changed: " + e);
      return;
    }
    for (TableIdentifier id : tables) {
      try {
        Table table = catalog.loadTable(id);
        if (table.currentSnapshot() == null) continue;
        if (limits.compactBytes() > 0) compact(id, table);
        if (limits.maxDeleteFiles() > 0) mergeDeleteFiles(id, table);
        if (limits.maxDataManifests() > 0) mergeManifests(id, table);
      } catch (NoSuchTableException e) {
        // Dropped since (a later request in the same transaction): nothing to maintain.
      } catch (VirtualMachineError e) {
        throw e;
      } catch (Throwable e) {
        // Tried again after the table's next commit.
        System.err.println("table maintenance of " + id + " failed: " + e);
        e.printStackTrace();
      }
    }
  }

  // A commit made through `table` (compact, mergeDeleteFiles) updates it: no refresh needed.
  private void mergeManifests(TableIdentifier id, Table table) {
    Snapshot current = table.currentSnapshot();
    int manifests = current.dataManifests(table.io()).size();
    if (manifests <= limits.maxDataManifests()) return;
    table.rewriteManifests().rewriteIf(manifest -> true).clusterBy(DataFile::specId).commit();
    System.err.println(
        "table maintenance: merged the " + manifests + " data manifests of " + id + " into "
            + table.currentSnapshot().dataManifests(table.io()).size());
  }

  private void compact(TableIdentifier id, Table table) {
    // A partitioned table's files are large (measurements: ~10 MB of a month each): rewriting them
    // here would take seconds per commit in Java's generic writer. S3 Tables compacts them apart.
    if (!table.spec().isUnpartitioned()) return;
    long snapshotId = table.currentSnapshot().snapshotId();
    List<FileScanTask> tasks = new ArrayList<>();
    try (CloseableIterable<FileScanTask> planned = table.newScan().planFiles()) {
      planned.forEach(tasks::add);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    List<FileScanTask> chosen = new ArrayList<>();
    Set<String> deleteFiles = new LinkedHashSet<>();
    int small = 0;
    for (FileScanTask task : tasks) {
      task.deletes().forEach(delete -> deleteFiles.add(delete.location()));
      boolean isSmall = task.file().fileSizeInBytes() < limits.smallFileBytes();
      if (isSmall) small++;
      if (isSmall || !task.deletes().isEmpty()) chosen.add(task);
    }
    boolean manyDeletes =
        limits.maxDeleteFiles() > 0 && deleteFiles.size() > limits.maxDeleteFiles();
    boolean manySmall = limits.maxSmallFiles() > 0 && small > limits.maxSmallFiles();
    if (!manyDeletes && !manySmall) return;
    long bytes = chosen.stream().mapToLong(task -> task.file().fileSizeInBytes()).sum();
    if (bytes > limits.compactBytes()) {
      System.err.println(
          "table maintenance: " + id + " has " + chosen.size() + " files to compact (" + bytes
              + " bytes), over maintenance.compact-bytes: left as they are");
      return;
    }
    long started = System.nanoTime();
    RewriteFiles rewrite = table.newRewrite().validateFromSnapshot(snapshotId);
    Map<String, List<FileScanTask>> byPartition = new LinkedHashMap<>();
    for (FileScanTask task : chosen) {
      rewrite.deleteFile(task.file());
      byPartition
          .computeIfAbsent(partitionKey(table, task.file()), key -> new ArrayList<>())
          .add(task);
    }
    int written = 0;
    for (List<FileScanTask> group : byPartition.values()) {
      DataFile file = rewriteGroup(table, group);
      if (file != null) {
        rewrite.addFile(file);
        written++;
      }
    }
    for (DeleteFile delete : deletesOnlyOf(tasks, chosen)) rewrite.deleteFile(delete);
    rewrite.commit();
    System.err.printf(
        "table maintenance: compacted %d data files (%d bytes) of %s into %d in %d ms%n",
        chosen.size(), bytes, id, written, (System.nanoTime() - started) / 1_000_000);
  }

  private void mergeDeleteFiles(TableIdentifier id, Table table) {
    if (table.spec().isUnpartitioned()) return; // compact() handles those
    long snapshotId = table.currentSnapshot().snapshotId();
    Map<String, Map<String, DeleteFile>> byPartition = new LinkedHashMap<>();
    int total = 0;
    try (CloseableIterable<FileScanTask> planned = table.newScan().planFiles()) {
      for (FileScanTask task : planned) {
        for (DeleteFile delete : task.deletes()) {
          if (delete.content() != FileContent.POSITION_DELETES) continue;
          Map<String, DeleteFile> group =
              byPartition.computeIfAbsent(
                  partitionKey(table, delete), key -> new LinkedHashMap<>());
          if (group.putIfAbsent(delete.location(), delete) == null) total++;
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    // One delete file a partition is as far as merging goes.
    List<Map<String, DeleteFile>> groups =
        byPartition.values().stream().filter(group -> group.size() > 1).toList();
    if (total <= limits.maxDeleteFiles() || groups.isEmpty()) return;
    long started = System.nanoTime();
    RewriteFiles rewrite = table.newRewrite().validateFromSnapshot(snapshotId);
    int merged = 0;
    int written = 0;
    for (Map<String, DeleteFile> group : groups) {
      for (DeleteFile delete : group.values()) rewrite.deleteFile(delete);
      rewrite.addFile(mergePositions(table, List.copyOf(group.values())));
      merged += group.size();
      written++;
    }
    rewrite.commit();
    System.err.printf(
        "table maintenance: merged %d delete files of %s into %d in %d ms%n",
        merged, id, written, (System.nanoTime() - started) / 1_000_000);
  }

  /** The partition a file belongs to, under its own spec. */
  private static String partitionKey(Table table, ContentFile<?> file) {
    return file.specId() + "/" + table.specs().get(file.specId()).partitionToPath(file.partition());
  }

  /** One position-delete file holding every position of `deletes` (one partition's). */
  private static DeleteFile mergePositions(Table table, List<DeleteFile> deletes) {
    Schema pathPos = DeleteSchemaUtil.pathPosSchema();
    Map<String, List<Long>> positions = new TreeMap<>();
    for (DeleteFile delete : deletes) {
      try (CloseableIterable<Record> rows =
          Parquet.read(table.io().newInputFile(delete.location()))
              .project(pathPos)
              .createReaderFunc(schema -> GenericParquetReaders.buildReader(pathPos, schema))
              .build()) {
        for (Record row : rows) {
          positions
              .computeIfAbsent(row.get(0, CharSequence.class).toString(), key -> new ArrayList<>())
              .add(row.get(1, Long.class));
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    DeleteFile first = deletes.get(0);
    PartitionSpec spec = table.specs().get(first.specId());
    String name = "merged-" + UUID.randomUUID() + "-deletes.parquet";
    String location = table.locationProvider().newDataLocation(spec, first.partition(), name);
    PositionDeleteWriter<Record> writer;
    try {
      writer =
          Parquet.writeDeletes(table.io().newOutputFile(location))
              .setAll(table.properties()) // not forTable: that also asks for the deleted rows
              .withSpec(spec)
              .withPartition(first.partition())
              .overwrite()
              .buildPositionWriter();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    try (writer) {
      PositionDelete<Record> delete = PositionDelete.create();
      // The spec wants a delete file sorted by path, then position.
      positions.forEach(
          (path, list) ->
              list.stream()
                  .sorted()
                  .distinct()
                  .forEach(pos -> writer.write(delete.set(path, pos))));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return writer.toDeleteFile();
  }

  /** The delete files that apply to no data file outside `chosen` (so they can go with it). */
  private static List<DeleteFile> deletesOnlyOf(List<FileScanTask> all, List<FileScanTask> chosen) {
    Set<String> chosenFiles = new LinkedHashSet<>();
    chosen.forEach(task -> chosenFiles.add(task.file().location()));
    Map<String, DeleteFile> deletes = new LinkedHashMap<>();
    Map<String, Boolean> removable = new HashMap<>();
    for (FileScanTask task : all) {
      boolean rewritten = chosenFiles.contains(task.file().location());
      for (DeleteFile delete : task.deletes()) {
        deletes.putIfAbsent(delete.location(), delete);
        removable.merge(delete.location(), rewritten, Boolean::logicalAnd);
      }
    }
    List<DeleteFile> out = new ArrayList<>();
    deletes.forEach((location, delete) -> {
      if (removable.get(location)) out.add(delete);
    });
    return out;
  }

  /** One partition's chosen files, deletes applied, as one data file; null when no row is left. */
  private static DataFile rewriteGroup(Table table, List<FileScanTask> group) {
    Schema schema = table.schema();
    DataFile first = group.get(0).file();
    PartitionSpec spec = table.specs().get(first.specId());
    StructLike partition = first.partition();
    String name = "compacted-" + UUID.randomUUID() + ".parquet";
    String location =
        spec.isUnpartitioned()
            ? table.locationProvider().newDataLocation(name)
            : table.locationProvider().newDataLocation(spec, partition, name);
    long rows = 0;
    DataWriter<Record> writer;
    try {
      writer =
          Parquet.writeData(table.io().newOutputFile(location))
              .forTable(table)
              .withSpec(spec)
              .withPartition(partition)
              .createWriterFunc(GenericParquetWriter::create)
              .overwrite()
              .build();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    try (writer) {
      for (FileScanTask task : group) {
        GenericDeleteFilter deletes = new GenericDeleteFilter(table.io(), task, schema, schema);
        Schema read = deletes.requiredSchema();
        try (CloseableIterable<Record> records =
            deletes.filter(
                Parquet.read(table.io().newInputFile(task.file().location()))
                    .project(read)
                    .createReaderFunc(file -> GenericParquetReaders.buildReader(read, file))
                    .build())) {
          for (Record record : records) {
            writer.write(asTableRecord(schema, record));
            rows++;
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (rows == 0) {
      table.io().deleteFile(location);
      return null;
    }
    return writer.toDataFile();
  }

  /** The table's columns of a record read with extra ones (the row position the deletes need). */
  private static Record asTableRecord(Schema schema, Record record) {
    GenericRecord out = GenericRecord.create(schema);
    for (Types.NestedField field : schema.columns()) {
      out.setField(field.name(), record.getField(field.name()));
    }
    return out;
  }
}
