package org.apache.iceberg.rest;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.DataFiles;
import org.apache.iceberg.DeleteFile;
import org.apache.iceberg.FileContent;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.MetricsConfig;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Table;
import org.apache.iceberg.io.FileIO;
import org.apache.iceberg.io.OutputFile;
import org.apache.iceberg.io.PositionOutputStream;
import org.apache.iceberg.parquet.ParquetUtil;
import org.apache.iceberg.types.Types;

/**
 * Rewrites a group of a table's data files as one, their position deletes applied, with DuckDB
 * (an in-process JDBC database): ~1 M rows a second, where Java's generic Parquet reader and writer
 * took 15 s for one 11 MB file. The files are copied to a local folder through the table's FileIO,
 * rewritten there with the table's field ids, checked (rows in − rows deleted = rows out) and
 * copied back.
 */
final class ParquetRewriter {
  /** Opened at the first rewrite, kept for the catalog's lifetime. */
  private Connection connection;

  /** The group's rows as one new data file of its partition; null when no row is left. */
  DataFile rewrite(Table table, List<FileScanTask> group) throws IOException, SQLException {
    Path folder = Files.createTempDirectory("table-maintenance-");
    try {
      return rewriteIn(folder, table, group);
    } finally {
      try (Stream<Path> paths = Files.walk(folder)) {
        for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(path);
        }
      }
    }
  }

  private DataFile rewriteIn(Path folder, Table table, List<FileScanTask> group)
      throws IOException, SQLException {
    Map<String, String> dataFiles = new LinkedHashMap<>(); // local copy -> location in the table
    Map<String, String> deleteFiles = new LinkedHashMap<>(); // location -> local copy
    long rowsIn = 0;
    for (FileScanTask task : group) {
      if (dataFiles.containsValue(task.file().location())) continue; // a file split in tasks
      String local = download(table.io(), task.file().location(), folder);
      dataFiles.put(local, task.file().location());
      rowsIn += task.file().recordCount();
      for (DeleteFile delete : task.deletes()) {
        if (delete.content() != FileContent.POSITION_DELETES) {
          throw new UnsupportedOperationException(
              "cannot apply the equality deletes of " + delete.location());
        }
        if (!deleteFiles.containsKey(delete.location())) {
          deleteFiles.put(delete.location(), download(table.io(), delete.location(), folder));
        }
      }
    }
    Path out = folder.resolve("rewritten.parquet");
    Statement statement = connection().createStatement();
    try (statement) {
      statement.execute("CREATE OR REPLACE TEMP TABLE paths (local_copy VARCHAR, data_file VARCHAR)");
      try (PreparedStatement insert =
          connection.prepareStatement("INSERT INTO paths VALUES (?, ?)")) {
        for (Map.Entry<String, String> file : dataFiles.entrySet()) {
          insert.setString(1, file.getKey());
          insert.setString(2, file.getValue());
          insert.execute();
        }
      }
      String rows =
          // (data_file: a table has a column `location`)
          "SELECT d.*, p.data_file FROM read_parquet(" + list(dataFiles.keySet())
              + ", filename = true, file_row_number = true) d JOIN paths p ON p.local_copy = d.filename";
      String deleted =
          "SELECT DISTINCT file_path, pos FROM read_parquet(" + list(deleteFiles.values()) + ")"
              + " WHERE file_path IN (SELECT data_file FROM paths)";
      statement.execute(
          deleteFiles.isEmpty()
              ? "CREATE OR REPLACE TEMP VIEW deleted AS SELECT NULL::VARCHAR AS file_path, NULL::BIGINT AS pos WHERE false"
              : "CREATE OR REPLACE TEMP VIEW deleted AS " + deleted);
      statement.execute(
          "COPY (SELECT " + columns(table) + " FROM (" + rows + ") r ANTI JOIN deleted x"
              + " ON x.file_path = r.data_file AND x.pos = r.file_row_number)"
              + " TO " + quote(out.toString())
              + " (FORMAT parquet, COMPRESSION zstd, FIELD_IDS " + fieldIds(table) + ")");
      long rowsDeleted = count(statement, "SELECT count(*) FROM deleted");
      long rowsOut = count(statement, "SELECT count(*) FROM read_parquet(" + quote(out.toString()) + ")");
      if (rowsOut != rowsIn - rowsDeleted) {
        throw new IllegalStateException(
            "rewrite of " + dataFiles.values() + ": " + rowsIn + " rows less " + rowsDeleted
                + " deleted should leave " + (rowsIn - rowsDeleted) + ", the new file holds "
                + rowsOut + "; nothing was committed");
      }
      if (rowsOut == 0) return null;
    }
    DataFile first = group.get(0).file();
    PartitionSpec spec = table.specs().get(first.specId());
    String name = "compacted-" + UUID.randomUUID() + ".parquet";
    String location =
        spec.isUnpartitioned()
            ? table.locationProvider().newDataLocation(name)
            : table.locationProvider().newDataLocation(spec, first.partition(), name);
    upload(out, table.io().newOutputFile(location));
    return DataFiles.builder(spec)
        .withPath(location)
        .withFormat(FileFormat.PARQUET)
        .withPartition(first.partition())
        .withFileSizeInBytes(Files.size(out))
        .withMetrics(
            ParquetUtil.fileMetrics(
                org.apache.iceberg.Files.localInput(out.toFile()), MetricsConfig.forTable(table)))
        .build();
  }

  private Connection connection() throws SQLException {
    if (connection == null) {
      connection = DriverManager.getConnection("jdbc:duckdb:");
      try (Statement statement = connection.createStatement()) {
        // Spill (a large partition's anti join) under the JVM's temporary folder.
        statement.execute("SET memory_limit = '1GB'");
        statement.execute(
            "SET temp_directory = "
                + quote(Path.of(System.getProperty("java.io.tmpdir"), "table-maintenance-spill").toString()));
        statement.execute("SET preserve_insertion_order = false");
      }
    }
    return connection;
  }

  private static String download(FileIO io, String location, Path folder) throws IOException {
    Path local = folder.resolve(UUID.randomUUID() + ".parquet");
    try (InputStream in = io.newInputFile(location).newStream()) {
      Files.copy(in, local);
    }
    return local.toString();
  }

  private static void upload(Path local, OutputFile target) throws IOException {
    try (InputStream in = Files.newInputStream(local);
        PositionOutputStream out = target.createOrOverwrite()) {
      in.transferTo(out);
    }
  }

  /** The table's columns by name, in its schema's order (the files are the table's own). */
  private static String columns(Table table) {
    return table.schema().columns().stream()
        .map(field -> identifier(field.name()))
        .collect(Collectors.joining(", "));
  }

  /** DuckDB's FIELD_IDS option: each column's Iceberg field id, so readers map columns by id. */
  private static String fieldIds(Table table) {
    List<String> ids = new ArrayList<>();
    for (Types.NestedField field : table.schema().columns()) {
      if (!field.type().isPrimitiveType()) {
        throw new UnsupportedOperationException(
            "cannot rewrite " + table.name() + ": column " + field.name() + " is not primitive");
      }
      ids.add(identifier(field.name()) + ": " + field.fieldId());
    }
    return "{" + String.join(", ", ids) + "}";
  }

  private static long count(Statement statement, String sql) throws SQLException {
    try (ResultSet result = statement.executeQuery(sql)) {
      result.next();
      return result.getLong(1);
    }
  }

  private static String list(Iterable<String> paths) {
    List<String> quoted = new ArrayList<>();
    paths.forEach(path -> quoted.add(quote(path)));
    return "[" + String.join(", ", quoted) + "]";
  }

  private static String quote(String text) {
    return "'" + text.replace("'", "''") + "'";
  }

  private static String identifier(String name) {
    return "\"" + name.replace("\"", "\"\"") + "\"";
  }
}
