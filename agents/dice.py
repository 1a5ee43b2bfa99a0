"""The day's dice: which row of the daily random block each decision reads.

The model draws one block of uniforms and one of normals per day, one column
per person; both engines read a decision's die from the same row and column,
so they see the same numbers.
"""

U_ADVERT, U_VISIT, U_FAILURE, U_COMPLAIN, U_ON_THE_SPOT, U_ARRIVAL, U_DEFECT, U_TALK, U_JOIN = range(9)
N_UNIFORM = 9
Z_QUALITY, Z_PERCEPTION = range(2)
N_NORMAL = 2
