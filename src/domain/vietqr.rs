//! vietqr
