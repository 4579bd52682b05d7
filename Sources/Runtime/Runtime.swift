// The Runtime module; see ../../../shared/DESIGN.md (module table).
