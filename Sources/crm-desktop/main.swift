import CRMDesktop
