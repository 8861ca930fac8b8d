# Debian package: `cpack -G DEB` in the build directory (or `make package` from the top).
#
# The package holds the binary, the man page, the systemd unit, an example configuration
# (also installed as the conffile /etc/r53sim/config.yaml, which the unit reads) and README-style
# docs under /usr/share/doc/r53sim/. Runtime libraries become Depends through dpkg-shlibdeps
# (package dpkg-dev), so the control file never lists them by hand and cannot drift from ldd.

set(R53SIM_PACKAGING_DIR ${CMAKE_CURRENT_LIST_DIR})
set(R53SIM_SYSCONF_DIR "/etc/r53sim" CACHE STRING "Where the package puts config.yaml (absolute)")
set(R53SIM_SYSTEMD_UNIT_DIR "lib/systemd/system" CACHE STRING
    "systemd unit directory, relative to the install prefix")

# cpack installs the tree it is run in; building is `cmake --build`'s job. Without this, cpack's
# preinstall step would first build every unit-test executable, which packaging does not need.
set(CMAKE_SKIP_INSTALL_ALL_DEPENDENCY ON)

# Debian policy wants man pages compressed, reproducibly (-n: no name or timestamp inside).
set(R53SIM_MAN_PAGE_GZ ${CMAKE_CURRENT_BINARY_DIR}/packaging/r53sim.1.gz)
add_custom_command(OUTPUT ${R53SIM_MAN_PAGE_GZ}
  COMMAND ${CMAKE_COMMAND} -E make_directory ${CMAKE_CURRENT_BINARY_DIR}/packaging
  COMMAND gzip -9n -c ${R53SIM_PACKAGING_DIR}/r53sim.1 > ${R53SIM_MAN_PAGE_GZ}
  DEPENDS ${R53SIM_PACKAGING_DIR}/r53sim.1
  COMMENT "Compressing the r53sim man page")
add_custom_target(r53sim_man_page ALL DEPENDS ${R53SIM_MAN_PAGE_GZ})

install(FILES ${R53SIM_MAN_PAGE_GZ} DESTINATION share/man/man1)
install(FILES ${R53SIM_PACKAGING_DIR}/r53sim.service DESTINATION ${R53SIM_SYSTEMD_UNIT_DIR})
install(FILES ${R53SIM_PACKAGING_DIR}/config.yaml DESTINATION ${R53SIM_SYSCONF_DIR})
install(FILES ${R53SIM_PACKAGING_DIR}/config.yaml DESTINATION share/doc/r53sim/examples)
install(FILES ${R53SIM_PACKAGING_DIR}/copyright DESTINATION share/doc/r53sim)
if(EXISTS ${PROJECT_SOURCE_DIR}/docs/recipes.md)
  install(FILES ${PROJECT_SOURCE_DIR}/docs/recipes.md DESTINATION share/doc/r53sim)
endif()

# Maintainer scripts and conffiles go into the control archive with their modes kept.
configure_file(${R53SIM_PACKAGING_DIR}/conffiles.in ${CMAKE_CURRENT_BINARY_DIR}/packaging/conffiles
  @ONLY)
foreach(script postinst prerm postrm)
  file(COPY ${R53SIM_PACKAGING_DIR}/${script} DESTINATION ${CMAKE_CURRENT_BINARY_DIR}/packaging
    FILE_PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ GROUP_EXECUTE WORLD_READ
    WORLD_EXECUTE)
endforeach()

set(CPACK_GENERATOR "DEB")
set(CPACK_PACKAGE_NAME "r53sim")
set(CPACK_PACKAGE_VENDOR "r53sim")
set(CPACK_PACKAGE_CONTACT "r53sim maintainers <r53sim@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "Local authoritative DNS server that behaves like AWS Route 53")
set(CPACK_PACKAGE_DESCRIPTION
    "r53sim answers DNS for configured hosted zones from live health-check state\n\
(real HTTP, HTTPS and TCP probes), with Route 53's routing policies, configuration\n\
in Route 53's own shapes, an admin HTTP API and Prometheus metrics. It is meant for\n\
testing failover locally and in CI.")
set(CPACK_PACKAGING_INSTALL_PREFIX "/usr")
set(CPACK_STRIP_FILES ON)
set(CPACK_WARN_ON_ABSOLUTE_INSTALL_DESTINATION OFF)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION "net")
set(CPACK_DEBIAN_PACKAGE_PRIORITY "optional")
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "dnsutils, curl")
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    "${CMAKE_CURRENT_BINARY_DIR}/packaging/conffiles;${CMAKE_CURRENT_BINARY_DIR}/packaging/postinst;${CMAKE_CURRENT_BINARY_DIR}/packaging/prerm;${CMAKE_CURRENT_BINARY_DIR}/packaging/postrm")
include(CPack)
