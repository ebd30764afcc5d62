"""Reading what an optimiser is given: the checks behind :class:`Optimizer`'s
``params`` and :meth:`Optimizer.add_param_group`.

``params`` is an iterable of Parameters or of parameter groups (dicts); a group becomes
a dict with its ``"params"`` list and every hyper-parameter, the defaults filled in.
Every refusal names the optimiser and the group, in one line; nothing here runs while
training.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..core import Module, Parameter
from ..i18n import N_, Message

if TYPE_CHECKING:
    from .optimizer import Optimizer

__all__ = ["read_param_group", "read_params"]


def read_params(name: str, params: Any) -> list[Any]:
    """``params`` as a list of parameter groups (a list of Parameters is one group);
    TypeError / ValueError, naming the optimiser ``name``, if it is not one."""
    if isinstance(params, Module):
        template = N_(
            "{name}: params must be an iterable of Parameters or of dicts; "
            "got a {type} module; pass model.parameters()"
        )
        raise TypeError(Message("checks", template, name=name, type=type(params).__name__))
    if isinstance(params, (Parameter, dict)):
        template = N_(
            "{name}: params must be an iterable of Parameters or of dicts, got a single "
            "{type}; wrap it in a list"
        )
        raise TypeError(Message("checks", template, name=name, type=type(params).__name__))
    if isinstance(params, (set, frozenset)):
        template = N_(
            "{name}: params must be an ordered collection (a list), not a set: the order "
            "of a set changes between runs and state_dict indices rely on it"
        )
        raise TypeError(Message("checks", template, name=name))
    try:
        groups = list(params)
    except TypeError:
        template = N_("{name}: params must be an iterable of Parameters or of dicts, got {type}")
        raise TypeError(
            Message("checks", template, name=name, type=type(params).__name__)
        ) from None
    if not groups:
        raise ValueError(Message("checks", N_("optimizer got an empty parameter list")))
    if not isinstance(groups[0], dict):
        groups = [{"params": groups}]
    return groups


def read_param_group(optimizer: Optimizer, param_group: Any) -> dict[str, Any]:
    """The group ``param_group`` becomes in ``optimizer`` (its hyper-parameters checked,
    the defaults filled in); TypeError / ValueError if it is not a group of Parameters
    that belong to no other group."""
    name = type(optimizer).__name__
    index = len(optimizer.param_groups)
    if not isinstance(param_group, dict):
        template = N_("{name}: parameter group {index} must be a dict, got {type}")
        said = {"index": index, "type": type(param_group).__name__}
        raise TypeError(Message("checks", template, name=name, **said))
    if "params" not in param_group:
        template = N_("{name}: parameter group {index} has no 'params' entry")
        raise ValueError(Message("checks", template, name=name, index=index))
    params = param_group["params"]
    if isinstance(params, Parameter):
        params = [params]
    elif isinstance(params, (set, frozenset)):
        template = N_(
            "{name}: parameter group {index}: 'params' must be an ordered collection "
            "(a list), not a set"
        )
        raise TypeError(Message("checks", template, name=name, index=index))
    elif isinstance(params, Module):
        template = N_(
            "{name}: parameter group {index}: 'params' is a {type} module; pass model.parameters()"
        )
        said = {"index": index, "type": type(params).__name__}
        raise TypeError(Message("checks", template, name=name, **said))
    else:
        params = list(params)
    for i, param in enumerate(params):
        if not isinstance(param, Parameter):
            template = N_(
                "{name} can only optimize fcnn Parameters, but parameter {i} of group "
                "{index} is a {type}"
            )
            said = {"i": i, "index": index, "type": type(param).__name__}
            raise TypeError(Message("checks", template, name=name, **said))
    if len({id(p) for p in params}) != len(params):
        template = N_("{name}: parameter group {index} lists a parameter more than once")
        raise ValueError(Message("checks", template, name=name, index=index))
    group: dict[str, Any] = {"params": params}
    for key, default in optimizer.defaults.items():
        group[key] = param_group.get(key, default)
    for key, value in param_group.items():
        group.setdefault(key, value)
    optimizer._check_group(
        group, name, Message("checks", N_("parameter group {index}"), index=index)
    )
    taken = {id(p) for g in optimizer.param_groups for p in g["params"]}
    if any(id(p) in taken for p in params):
        template = N_(
            "{name}: some parameters of group {index} already belong to another "
            "parameter group; a parameter may appear in one group only"
        )
        raise ValueError(Message("checks", template, name=name, index=index))
    return group
