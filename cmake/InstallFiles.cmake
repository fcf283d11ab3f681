# Runs inside `cmake --install` (included by the install(CODE) rule of cmake/Install.cmake, with
# CMAKE_INSTALL_PREFIX the prefix of this install): renders stashd.service and the packaged
# stashd.yaml, installs them, and creates the data and log directories. An existing stashd.yaml is
# never overwritten: the new default goes next to it as stashd.yaml.new.
if(IS_ABSOLUTE "${STASHD_UNIT_SUBDIR}")
  set(unit_dir "${STASHD_UNIT_SUBDIR}")
else()
  set(unit_dir "${CMAKE_INSTALL_PREFIX}/${STASHD_UNIT_SUBDIR}")
endif()
set(STASHD_BIN_DIR "${CMAKE_INSTALL_PREFIX}/${STASHD_BIN_SUBDIR}")
set(STASHD_DOC_DIR "${CMAKE_INSTALL_PREFIX}/${STASHD_DOC_SUBDIR}")
file(MAKE_DIRECTORY "${STASHD_STAGING_DIR}")
configure_file("${STASHD_SOURCE_DIR}/packaging/systemd/stashd.service.in"
               "${STASHD_STAGING_DIR}/stashd.service" @ONLY)
file(INSTALL "${STASHD_STAGING_DIR}/stashd.service" DESTINATION "${unit_dir}")

# The packaged config is the repository's config/stashd.yaml (every option, documented) with the
# values a service wants; each replaced line must exist, so a reworded default fails the install.
file(READ "${STASHD_SOURCE_DIR}/config/stashd.yaml" yaml)
function(packaged_value old new)
  string(FIND "${yaml}" "${old}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "config/stashd.yaml has no line '${old}' to set for the package")
  endif()
  string(REPLACE "${old}" "${new}" replaced "${yaml}")
  set(yaml "${replaced}" PARENT_SCOPE)
endfunction()
packaged_value("\ndir: .\n" "\ndir: ${STASHD_DATA_DIR}\n")
packaged_value("\nlogfile: \"\"\n" "
# Installed default: standard output, which systemd sends to the journal (journalctl -u stashd).
# For a file use ${STASHD_LOG_DIR}/stashd.log: the unit may write there, and the logrotate
# snippet rotates it (systemctl reload makes stashd reopen it).
logfile: \"\"
")
set(yaml "# Installed by cmake --install as ${STASHD_CONFIG_DIR}/stashd.yaml: the repository's
# config/stashd.yaml with dir ${STASHD_DATA_DIR}, logging to standard output (the journal under
# systemd, docker logs in the image). Command-line options (the systemd unit passes
# --supervised systemd) override values here.
#
${yaml}")
file(WRITE "${STASHD_STAGING_DIR}/stashd.yaml" "${yaml}")

set(config_file "$ENV{DESTDIR}${STASHD_CONFIG_DIR}/stashd.yaml")
if(EXISTS "${config_file}")
  file(INSTALL "${STASHD_STAGING_DIR}/stashd.yaml" DESTINATION "${STASHD_CONFIG_DIR}"
       RENAME stashd.yaml.new PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ)
  message(STATUS "Kept ${config_file}; the new default is stashd.yaml.new beside it")
else()
  file(INSTALL "${STASHD_STAGING_DIR}/stashd.yaml" DESTINATION "${STASHD_CONFIG_DIR}"
       PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ)
endif()

foreach(dir "${STASHD_DATA_DIR}" "${STASHD_LOG_DIR}")
  file(MAKE_DIRECTORY "$ENV{DESTDIR}${dir}")
  file(CHMOD "$ENV{DESTDIR}${dir}" PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ
       GROUP_EXECUTE)
endforeach()

# A real install as root (no DESTDIR) also does what a package's post-install would: the stashd
# system user from the sysusers.d snippet, which then owns the directories and may read the config.
execute_process(COMMAND id -u OUTPUT_VARIABLE uid OUTPUT_STRIP_TRAILING_WHITESPACE)
find_program(SYSUSERS systemd-sysusers)
if("$ENV{DESTDIR}" STREQUAL "" AND uid STREQUAL "0" AND SYSUSERS)
  execute_process(COMMAND "${SYSUSERS}" "${CMAKE_INSTALL_PREFIX}/lib/sysusers.d/stashd.conf"
                  RESULT_VARIABLE failed)
  if(failed)
    message(WARNING "systemd-sysusers could not create the stashd user; see docs/operations.md")
  else()
    execute_process(COMMAND chown stashd:stashd "${STASHD_DATA_DIR}" "${STASHD_LOG_DIR}")
    execute_process(COMMAND chgrp stashd "${config_file}")
    message(STATUS "stashd system user ready; ${STASHD_DATA_DIR} and ${STASHD_LOG_DIR} are its")
  endif()
endif()
