//! lunar
