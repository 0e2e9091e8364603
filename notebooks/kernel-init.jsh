// Run by the sdspark-java kernel at start (RJK_INIT_SCRIPT).
// rapaio-jupyter-kernel's logging.properties sets java.util.logging's root level to FINEST. Janino,
// Spark's code generator, then formats FINER trace messages for Spark's SLF4J bridge, which throws
// inside Janino: generated code fails to compile and Spark tasks fail. The kernel reads that file
// after this script, so the level is put back to INFO whenever the configuration is (re)read.
java.util.logging.LogManager.getLogManager().addConfigurationListener(
        () -> java.util.logging.Logger.getLogger("").setLevel(java.util.logging.Level.INFO));
