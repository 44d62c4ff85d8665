# `cmake --install` puts the library where find_package(ringhttpd) and pkg-config find it:
# the public headers, the five static libraries (the layers and llhttp), a CMake package with
# the imported target ringhttpd::ringhttpd, and ringhttpd.pc. The server binary goes to bin/.

include(CMakePackageConfigHelpers)

set_target_properties(llhttp_dep PROPERTIES OUTPUT_NAME ringhttpd_llhttp)
install(TARGETS ringhttpd ringhttpd_http ringhttpd_tls ringhttpd_io llhttp_dep
        EXPORT ringhttpdTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(TARGETS ringhttpd_server RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(DIRECTORY include/ringhttpd DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})

set(RINGHTTPD_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/ringhttpd)
install(EXPORT ringhttpdTargets NAMESPACE ringhttpd:: DESTINATION ${RINGHTTPD_CMAKE_DIR})
configure_package_config_file(cmake/ringhttpdConfig.cmake.in
                              ${PROJECT_BINARY_DIR}/ringhttpdConfig.cmake
                              INSTALL_DESTINATION ${RINGHTTPD_CMAKE_DIR})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/ringhttpdConfigVersion.cmake
                                 COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/ringhttpdConfig.cmake
              ${PROJECT_BINARY_DIR}/ringhttpdConfigVersion.cmake
        DESTINATION ${RINGHTTPD_CMAKE_DIR})

file(RELATIVE_PATH RINGHTTPD_PC_TO_PREFIX /${CMAKE_INSTALL_LIBDIR}/pkgconfig /)
configure_file(cmake/ringhttpd.pc.in ${PROJECT_BINARY_DIR}/ringhttpd.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/ringhttpd.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
