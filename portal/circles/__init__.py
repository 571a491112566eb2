"""Care circles: who may act for whom (carers' grants), which team serves whom (locality and
consent), and the one access policy that every personal record asks (``policy.decide``)."""
