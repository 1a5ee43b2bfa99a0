"""The classroom: lessons, the dashboard (``servsim-dashboard``) and slides (``servsim-lesson``).

    lessons.py          what each lesson shows, its preset, its counterfactual and its questions
    model.py            ClassroomModel: a lesson as the dashboard runs it; the on-screen controls
    dashboard.py        the Solara page for a projector
    slides.py           a lesson as one annotated figure for slides
    step_timing.py      how fast the model steps and the plots draw at classroom sizes
    fill_solara_cdn.py  the page's JavaScript from the npm registry, for offline classrooms
"""
