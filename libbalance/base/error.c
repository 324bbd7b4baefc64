/*
 * error.c - names of the BAL_E* codes.
 */
#include "internal.h"

const char *bal_strerror(int rc)
{
    switch (rc) {
    case BAL_OK:         return "success";
    case BAL_EINVAL:     return "invalid argument";
    case BAL_ENOMEM:     return "out of memory";
    case BAL_EIO:        return "input/output error";
    case BAL_ENOXEN:     return "not a Xen dom0";
    case BAL_ECONFIG:    return "bad configuration";
    case BAL_EPEER:      return "malformed reply from a peer";
    case BAL_ESCENARIO:  return "bad scenario file";
    case BAL_ETRACE:     return "bad replay trace";
    case BAL_ENOENT:     return "no such file, host or domain";
    case BAL_EXEN:       return "Xen library call failed";
    case BAL_ETRANSPORT: return "transport to a peer failed";
    case BAL_EEOF:       return "replay trace exhausted";
    case BAL_ERANGE:     return "value out of range";
    case BAL_EBACKEND:   return "unknown or unusable backend";
    case BAL_EUNDEFINED: return "migration ended in an undefined state "
                                "(the VM may run on neither host or both)";
    case BAL_ELOCKED:    return "another process holds the lock";
    default:             return "unknown error";
    }
}
