# What `cmake --install` puts where (docs/operations.md, "Install"). Binaries go under the prefix;
# the systemd unit and the sysusers.d/tmpfiles.d snippets under <prefix>/lib; the config, the
# logrotate snippet, the data and log directories at the absolute paths below. The unit and the
# packaged config are rendered at install time (cmake/InstallFiles.cmake), so
# `cmake --install build --prefix /usr` gets ExecStart=/usr/bin/stashd. DESTDIR is honoured.
include(GNUInstallDirs)
set(STASHD_CONFIG_DIR /etc/stashd CACHE PATH "Directory of the installed stashd.yaml")
set(STASHD_DATA_DIR /var/lib/stashd CACHE PATH "Data directory of the installed service (dir)")
set(STASHD_LOG_DIR /var/log/stashd CACHE PATH "Log directory of the installed service")
set(STASHD_LOGROTATE_DIR /etc/logrotate.d CACHE PATH "Where the logrotate snippet goes")
set(STASHD_SYSTEMD_UNIT_DIR lib/systemd/system CACHE STRING
    "systemd unit directory, relative to the prefix unless absolute")

install(TARGETS stashd stashd-check-aof RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(FILES packaging/sysusers.d/stashd.conf DESTINATION lib/sysusers.d)
install(FILES packaging/tmpfiles.d/stashd.conf DESTINATION lib/tmpfiles.d)
install(FILES packaging/logrotate/stashd DESTINATION ${STASHD_LOGROTATE_DIR})
install(FILES docs/operations.md DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(CODE "
  set(STASHD_SOURCE_DIR \"${PROJECT_SOURCE_DIR}\")
  set(STASHD_STAGING_DIR \"${PROJECT_BINARY_DIR}/packaging\")
  set(STASHD_BIN_SUBDIR \"${CMAKE_INSTALL_BINDIR}\")
  set(STASHD_DOC_SUBDIR \"${CMAKE_INSTALL_DOCDIR}\")
  set(STASHD_UNIT_SUBDIR \"${STASHD_SYSTEMD_UNIT_DIR}\")
  set(STASHD_CONFIG_DIR \"${STASHD_CONFIG_DIR}\")
  set(STASHD_DATA_DIR \"${STASHD_DATA_DIR}\")
  set(STASHD_LOG_DIR \"${STASHD_LOG_DIR}\")
  include(\"${PROJECT_SOURCE_DIR}/cmake/InstallFiles.cmake\")
")
