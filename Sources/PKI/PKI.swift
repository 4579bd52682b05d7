// The PKI module; see ../../../shared/DESIGN.md (module table).
